package web

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"timebank/pkg/identity"
	"timebank/web/api"
)

// jsonFields returns the JSON names and Go types of a struct's fields as encoding/json sees them:
// embedded structs are flattened, and a field of the outer struct hides one of the same name inside.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-":
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			embedded = append(embedded, f.Type)
		case f.IsExported():
			if tag == "" {
				tag = f.Name
			}
			out[tag] = f.Type
		}
	}
	for _, e := range embedded {
		for k, v := range jsonFields(e) {
			if _, shadowed := out[k]; !shadowed {
				out[k] = v
			}
		}
	}
	return out
}

// The schemas of the people API (openapi/people.json) have exactly the fields of the Go types the
// handlers read and write, with matching JSON types, and amounts say they are minutes.
func TestPeopleSchemasMatchTypes(t *testing.T) {
	t.Parallel()
	var part struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type        string `json:"type"`
					Format      string `json:"format"`
					Ref         string `json:"$ref"`
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	b, err := api.OpenAPIFS.ReadFile("openapi/people.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &part); err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]reflect.Type{
		"Registration":            reflect.TypeFor[identity.Registration](),
		"Me":                      reflect.TypeFor[api.Me](),
		"LoginRequest":            reflect.TypeFor[api.LoginRequest](),
		"LoginResponse":           reflect.TypeFor[api.LoginResponse](),
		"LogoutRequest":           reflect.TypeFor[api.LogoutRequest](),
		"PasswordRequest":         reflect.TypeFor[api.PasswordRequest](),
		"LangRequest":             reflect.TypeFor[api.LangRequest](),
		"BalanceEvent":            reflect.TypeFor[api.BalanceEvent](),
		"ResetRequest":            reflect.TypeFor[api.ResetRequest](),
		"RegistrationCodeRequest": reflect.TypeFor[api.RegistrationCodeRequest](),
		"ResetAccepted":           reflect.TypeFor[api.ResetAccepted](),
		"ResetConfirm":            reflect.TypeFor[api.ResetConfirm](),
		"ResetCode":               reflect.TypeFor[api.ResetCode](),
	} {
		schema, ok := part.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		fields := jsonFields(typ)
		for field, ft := range fields {
			p, ok := schema.Properties[field]
			if !ok {
				t.Errorf("schema %s lacks %s", name, field)
				continue
			}
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			got := p.Type
			if p.Format == "int64" || p.Format == "date-time" {
				got += "/" + p.Format
			}
			if p.Ref != "" {
				got = "$ref"
			}
			var want string
			switch {
			case ft == reflect.TypeFor[time.Time]():
				want = "string/date-time"
			case ft.Kind() == reflect.Int64:
				want = "integer/int64"
			case ft.Kind() == reflect.String:
				want = "string"
			case ft.Kind() == reflect.Bool:
				want = "boolean"
			case ft.Kind() == reflect.Slice:
				want = "array"
			case ft.Kind() == reflect.Struct:
				want = "$ref"
			}
			if got != want {
				t.Errorf("schema %s.%s is %q, the Go field (%s) wants %q", name, field, got, ft, want)
			}
			if name == "BalanceEvent" && field != "code" && field != "version" && !strings.Contains(p.Description, "minutes") {
				t.Errorf("schema %s.%s does not say it is in minutes", name, field)
			}
		}
		for prop := range schema.Properties {
			if _, ok := fields[prop]; !ok {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ)
			}
		}
	}
}
