package web

import (
	"reflect"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/web/api"
	"timebank/web/problem"
)

// Every $ref resolves, and the schemas have the fields of the Go types they describe, with the same
// JSON types; int64 is documented as integer/int64 and amounts as minutes.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["$ref"]; ok {
				resolve(t, doc, v)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)

	schemas := obj(obj(doc["components"])["schemas"])
	types := map[string]reflect.Type{
		"Problem":            reflect.TypeFor[problem.Problem](),
		"FieldError":         reflect.TypeFor[problem.FieldError](),
		"NewAccount":         reflect.TypeFor[ledger.NewAccount](),
		"Account":            reflect.TypeFor[ledger.Account](),
		"Balance":            reflect.TypeFor[ledger.Balance](),
		"Entry":              reflect.TypeFor[ledger.Entry](),
		"EntriesPage":        reflect.TypeFor[api.EntriesPage](),
		"PostingRequest":     reflect.TypeFor[ledger.PostingRequest](),
		"TransactionRequest": reflect.TypeFor[ledger.TransactionRequest](),
		"Posting":            reflect.TypeFor[ledger.Posting](),
		"Transaction":        reflect.TypeFor[ledger.Transaction](),
		"Result":             reflect.TypeFor[ledger.Result](),
		"HoldRequest":        reflect.TypeFor[ledger.HoldRequest](),
		"Hold":               reflect.TypeFor[ledger.Hold](),
		"HoldResult":         reflect.TypeFor[ledger.HoldResult](),
		"CommitRequest":      reflect.TypeFor[api.CommitRequest](),
		"ReverseRequest":     reflect.TypeFor[api.ReverseRequest](),
	}
	minutes := map[string]bool{"amount": true, "posted": true, "pending": true, "available": true,
		"balance_after": true, "committed_amount": true}
	for name, typ := range types {
		schema := obj(schemas[name])
		if schema == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		props := obj(schema["properties"])
		seen := map[string]bool{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			seen[tag] = true
			p := obj(props[tag])
			if p == nil {
				t.Errorf("schema %s lacks %s (%s.%s)", name, tag, typ.Name(), f.Name)
				continue
			}
			want := openAPIType(f.Type)
			got := schemaType(p)
			if got != want {
				t.Errorf("schema %s.%s is %q, the Go field %s.%s (%s) wants %q", name, tag, got, typ.Name(), f.Name, f.Type, want)
			}
			if minutes[tag] {
				if d, _ := p["description"].(string); !strings.Contains(d, "minutes") {
					t.Errorf("schema %s.%s does not say it is in minutes", name, tag)
				}
			}
		}
		for prop := range props {
			if !seen[prop] {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ.Name())
			}
		}
	}
}
