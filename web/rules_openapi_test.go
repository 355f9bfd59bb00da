package web

import (
	"reflect"
	"testing"

	"timebank/pkg/activity"
	"timebank/web/api"
)

// The schemas of the rules kept as data have exactly the JSON fields of their Go types, with the
// same JSON types.
func TestRulesOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"Holiday":          reflect.TypeFor[activity.Holiday](),
		"HolidayYear":      reflect.TypeFor[activity.HolidayYear](),
		"HolidaysRequest":  reflect.TypeFor[api.HolidaysRequest](),
		"CreditPolicy":     reflect.TypeFor[activity.CreditPolicy](),
		"CreditPolicyView": reflect.TypeFor[activity.CreditPolicyView](),
		"OrgStars":         reflect.TypeFor[activity.OrgStars](),
	})
}
