package web

import (
	"reflect"
	"time"
)

// openAPIType is the type (and format) a schema property must have for a Go field of type ft, in
// the form schemaType reads one: "string/date-time", "integer/int64", "$ref" for a nested object.
func openAPIType(ft reflect.Type) string {
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
	case ft.Kind() == reflect.String:
		return "string"
	case ft.Kind() == reflect.Bool:
		return "boolean"
	case ft.Kind() == reflect.Slice:
		return "array"
	case ft.Kind() == reflect.Struct:
		return "$ref"
	}
	return ""
}

// schemaType reads a schema property's type, with the formats openAPIType names.
func schemaType(p map[string]any) string {
	if p["$ref"] != nil {
		return "$ref"
	}
	got, _ := p["type"].(string)
	if f, ok := p["format"].(string); ok && (got == "string" && f == "date-time" || got == "integer" && f == "int64") {
		got += "/" + f
	}
	return got
}
