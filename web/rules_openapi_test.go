package web

import (
	"reflect"
	"strings"
	"testing"

	"timebank/pkg/activity"
	"timebank/web/api"
)

// The schemas of the rules kept as data have exactly the JSON fields of their Go types, with the
// same JSON types.
func TestRulesOpenAPISchemas(t *testing.T) {
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	for name, typ := range map[string]reflect.Type{
		"Holiday":          reflect.TypeFor[activity.Holiday](),
		"HolidayYear":      reflect.TypeFor[activity.HolidayYear](),
		"HolidaysRequest":  reflect.TypeFor[api.HolidaysRequest](),
		"CreditPolicy":     reflect.TypeFor[activity.CreditPolicy](),
		"CreditPolicyView": reflect.TypeFor[activity.CreditPolicyView](),
		"OrgStars":         reflect.TypeFor[activity.OrgStars](),
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
