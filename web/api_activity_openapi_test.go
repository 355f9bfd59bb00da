package web

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/web/api"
)

// The activity schemas of the OpenAPI document have exactly the JSON fields of the Go types they
// describe (embedded structs flattened, as encoding/json does), with the same JSON types; minutes
// say they are minutes.
func TestActivityOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	schemas := obj(obj(doc["components"])["schemas"])
	types := map[string]reflect.Type{
		"Activity":              reflect.TypeFor[activity.Activity](),
		"NewActivity":           reflect.TypeFor[activity.NewActivity](),
		"ActivityPage":          reflect.TypeFor[activity.ActivityPage](),
		"ActivityCategory":      reflect.TypeFor[activity.Category](),
		"Signup":                reflect.TypeFor[activity.Signup](),
		"ActivityCode":          reflect.TypeFor[activity.Code](),
		"ScanPosition":          reflect.TypeFor[activity.Position](),
		"ScanRequest":           reflect.TypeFor[activity.Scan](),
		"ScanResult":            reflect.TypeFor[activity.ScanResult](),
		"Attendance":            reflect.TypeFor[activity.Attendance](),
		"QueueItem":             reflect.TypeFor[activity.QueueItem](),
		"AttendanceQueue":       reflect.TypeFor[activity.Queue](),
		"PendingActivity":       reflect.TypeFor[activity.PendingActivity](),
		"VerifyRequest":         reflect.TypeFor[activity.VerifyRequest](),
		"VerifyResult":          reflect.TypeFor[activity.VerifyResult](),
		"VerifyResponse":        reflect.TypeFor[api.VerifyResponse](),
		"ManualHours":           reflect.TypeFor[activity.ManualHours](),
		"ServiceRecord":         reflect.TypeFor[activity.Record](),
		"RecordRevision":        reflect.TypeFor[activity.Revision](),
		"RecordDispute":         reflect.TypeFor[activity.Dispute](),
		"ReasonRequest":         reflect.TypeFor[api.ReasonRequest](),
		"Amendment":             reflect.TypeFor[activity.Amendment](),
		"ActivityPolicy":        reflect.TypeFor[activity.Policy](),
		"MyRecord":              reflect.TypeFor[activity.MyRecord](),
		"StarLevel":             reflect.TypeFor[activity.Stars](),
		"MyRecords":             reflect.TypeFor[activity.MyRecords](),
		"CreditTransferRequest": reflect.TypeFor[activity.TransferRequest](),
		"CreditTransfer":        reflect.TypeFor[activity.Transfer](),
		"FamilyMember":          reflect.TypeFor[activity.Relative](),
	}
	checkSchemas(t, schemas, types)
}

// checkSchemas checks that each named schema of the document has exactly the JSON fields of its Go
// type (embedded structs flattened, as encoding/json does), with the same JSON types, and that a
// field in minutes says so.
func checkSchemas(t *testing.T, schemas map[string]any, types map[string]reflect.Type) {
	t.Helper()
	for name, typ := range types {
		schema := obj(schemas[name])
		if schema == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		props := obj(schema["properties"])
		seen := map[string]bool{}
		for tag, ft := range actJSONFields(typ) {
			seen[tag] = true
			p := obj(props[tag])
			if p == nil {
				t.Errorf("schema %s lacks %s (%s)", name, tag, typ.Name())
				continue
			}
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
			if strings.Contains(tag, "minutes") {
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

// actJSONFields returns a struct's JSON field names and types, flattening embedded structs.
func actJSONFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			for k, v := range actJSONFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}

// actJSONType is the OpenAPI type (with format where it matters) of a Go field.
func actJSONType(ft reflect.Type) string {
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	switch {
	case ft == reflect.TypeFor[time.Time]():
		return "string/date-time"
	case ft.Kind() == reflect.Int64:
		return "integer/int64"
	case ft.Kind() == reflect.Int:
		return "integer"
	case ft.Kind() == reflect.Float64:
		return "number/double"
	case ft.Kind() == reflect.String:
		return "string"
	case ft.Kind() == reflect.Bool:
		return "boolean"
	case ft.Kind() == reflect.Slice:
		return "array"
	case ft.Kind() == reflect.Struct:
		return "$ref"
	}
	return ft.String()
}
