package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"

	"github.com/gofiber/fiber/v2"
)

// OpenAPIFS holds the OpenAPI document in parts: core.json (info, shared components and the ledger
// API) and one file per area of the service with its paths, schemas and tags, so that areas are
// described beside each other without one file everyone edits.
//
//go:embed openapi/*.json
var OpenAPIFS embed.FS

// OpenAPIDoc is the merged document, built once at start-up.
var OpenAPIDoc = func() []byte {
	b, err := mergeOpenAPI(OpenAPIFS)
	if err != nil {
		panic(err) // the embedded files are part of the binary: a broken one is a build mistake
	}
	return b
}()

// mergeOpenAPI merges core.json with every other part: paths, tags and each components section.
// An operation (a path's method) or a component defined twice is an error.
func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	var doc map[string]any
	if err := readJSON(fsys, "openapi/core.json", &doc); err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if path.Base(name) == "core.json" {
			continue
		}
		var part map[string]any
		if err := readJSON(fsys, name, &part); err != nil {
			return nil, err
		}
		if err := mergePaths(doc, part["paths"], name); err != nil {
			return nil, err
		}
		comps, _ := part["components"].(map[string]any)
		for section, v := range comps {
			dst, _ := doc["components"].(map[string]any)
			if err := mergeInto(dst, section, v, name); err != nil {
				return nil, err
			}
		}
		if tags, ok := part["tags"].([]any); ok {
			existing, _ := doc["tags"].([]any)
			doc["tags"] = append(existing, tags...)
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// mergeInto adds the entries of src (a JSON object) to dst[key], refusing duplicates.
func mergeInto(dst map[string]any, key string, src any, from string) error {
	add, _ := src.(map[string]any)
	if len(add) == 0 {
		return nil
	}
	into, _ := dst[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		dst[key] = into
	}
	for k, v := range add {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %s %q is already defined", from, key, k)
		}
		into[k] = v
	}
	return nil
}

// mergePaths adds the paths of a part to the document. A path may be described by several parts,
// one operation each (an area may add PUT to a path whose GET is another's); an operation defined
// twice is an error.
func mergePaths(doc map[string]any, src any, from string) error {
	add, _ := src.(map[string]any)
	paths, _ := doc["paths"].(map[string]any)
	if paths == nil {
		paths = map[string]any{}
		doc["paths"] = paths
	}
	for p, ops := range add {
		existing, ok := paths[p].(map[string]any)
		if !ok {
			paths[p] = ops
			continue
		}
		if err := mergeInto(map[string]any{p: existing}, p, ops, from); err != nil {
			return err
		}
	}
	return nil
}

// openapi serves the OpenAPI 3 description of the JSON API.
func (s *server) openapi(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(OpenAPIDoc)
}
