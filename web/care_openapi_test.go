package web

import (
	"reflect"
	"strings"
	"testing"

	"timebank/pkg/care"
	"timebank/web/api"
)

// The care registry's schemas have exactly the JSON fields of their Go types, with the same JSON types.
func TestCareOpenAPISchemas(t *testing.T) {
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	for name, typ := range map[string]reflect.Type{
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
	} {
		props := obj(obj(schemas[name])["properties"])
		if props == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		fields := actJSONFields(typ)
		for tag, ft := range fields {
			p := obj(props[tag])
			got, _ := p["type"].(string)
			if f, ok := p["format"].(string); ok && got != "" {
				got += "/" + f
			}
			if p["$ref"] != nil {
				got = "$ref"
			}
			if want := actJSONType(ft); got != want && !(want == "string" && strings.HasPrefix(got, "string/")) {
				t.Errorf("schema %s.%s is %q, the Go field (%s) wants %q", name, tag, got, ft, want)
			}
		}
		for prop := range props {
			if _, ok := fields[prop]; !ok {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ.Name())
			}
		}
	}
}
