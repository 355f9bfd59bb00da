package api

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// Parts may describe different operations of one path; the same operation twice is refused.
func TestMergeOpenAPIOperationsOfOnePath(t *testing.T) {
	core := `{"openapi":"3.0.3","paths":{},"components":{"schemas":{}}}`
	get := `{"paths":{"/api/v1/things/{id}":{"get":{"operationId":"getThing"}}}}`
	put := `{"paths":{"/api/v1/things/{id}":{"put":{"operationId":"putThing"}}}}`
	fsys := fstest.MapFS{"openapi/core.json": {Data: []byte(core)}, "openapi/a.json": {Data: []byte(get)},
		"openapi/b.json": {Data: []byte(put)}}
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if ops := doc.Paths["/api/v1/things/{id}"]; ops["get"] == nil || ops["put"] == nil {
		t.Errorf("the path's operations: %v", ops)
	}
	fsys["openapi/c.json"] = &fstest.MapFile{Data: []byte(put)}
	if _, err := mergeOpenAPI(fsys); err == nil || !strings.Contains(err.Error(), `"put" is already defined`) {
		t.Errorf("an operation defined twice: %v", err)
	}
}
