package web

import (
	"reflect"
	"testing"

	"timebank/pkg/care"
	"timebank/web/api"
)

// The care registry's schemas have exactly the JSON fields of their Go types, with the same JSON types.
func TestCareOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"CarePerson":           reflect.TypeFor[care.Person](),
		"NewCarePerson":        reflect.TypeFor[care.NewPerson](),
		"CarePeoplePage":       reflect.TypeFor[api.CarePeoplePage](),
		"CarePersonChange":     reflect.TypeFor[care.PersonChange](),
		"CareColourChange":     reflect.TypeFor[care.ColourChange](),
		"CareColourRequest":    reflect.TypeFor[care.ColourRequest](),
		"CarePairing":          reflect.TypeFor[care.Pairing](),
		"NewCarePairing":       reflect.TypeFor[care.NewPairing](),
		"CareVisit":            reflect.TypeFor[care.Visit](),
		"NewCareVisit":         reflect.TypeFor[care.NewVisit](),
		"CareProposal":         reflect.TypeFor[care.Proposal](),
		"CareDecideRequest":    reflect.TypeFor[api.DecideRequest](),
		"CareCard":             reflect.TypeFor[api.CareCard](),
		"CareBoardCard":        reflect.TypeFor[care.Card](),
		"CareCommunityCount":   reflect.TypeFor[care.CommunityCount](),
		"CareBoard":            reflect.TypeFor[care.Board](),
		"CareFrequencySetting": reflect.TypeFor[care.FrequencySetting](),
		"CareFrequency":        reflect.TypeFor[care.Frequency](),
		"CareFrequencyView":    reflect.TypeFor[care.FrequencyView](),
		"CareCommunityRate":    reflect.TypeFor[care.CommunityRate](),
	})
}
