package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/web/api"
)

// newTestServer builds the app over a fresh database and a Redis prefix of its own.
func newTestServer(t *testing.T) *fiber.App {
	t.Helper()
	app, _ := newTestApp(t)
	return app
}

// oaMethods are the keys of an OpenAPI path item that are operations.
var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// fetchOpenAPI gets the document the app serves, without a token, and parses it.
func fetchOpenAPI(t *testing.T, app *fiber.App) map[string]any {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Equal(body, api.OpenAPIDoc) {
		t.Fatalf("the served document is not the merged embedded openapi/*.json")
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// registeredRoutes are "METHOD /path/{param}" of every route the app really registers, without the
// HEAD twins of GET routes and the middleware (USE) entries.
func registeredRoutes(app *fiber.App) map[string]fiber.Route {
	param := regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)\??`)
	out := map[string]fiber.Route{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Method == "USE" || !documentedPath(r.Path) {
			continue
		}
		out[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = r
	}
	return out
}

// documentedPath reports whether a route belongs in the OpenAPI document: the JSON API, the
// operational endpoints and the well-known documents, not the HTML pages and static files.
func documentedPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics" ||
		strings.HasPrefix(p, "/.well-known/")
}

// operations are the document's operations by "METHOD /path".
func operations(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, item := range obj(doc["paths"]) {
		for _, m := range oaMethods {
			if op := obj(obj(item)[m]); op != nil {
				out[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return out
}

// resolve follows a local $ref ("#/components/…").
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m := obj(v)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	cur := any(doc)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = obj(cur)[part]
	}
	if cur == nil {
		t.Fatalf("unresolved $ref %q", ref)
	}
	return resolve(t, doc, cur)
}

// The document lists exactly the routes the app registers, no more and no fewer.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	if doc["openapi"] != "3.0.3" || obj(doc["info"])["title"] != "Timebank · 公益仓 API" || obj(doc["info"])["version"] != "1" {
		t.Fatalf("openapi %v, info %v", doc["openapi"], doc["info"])
	}
	registered := registeredRoutes(app)
	documented := operations(doc)
	if len(registered) < 15 {
		t.Fatalf("only %d routes registered: %v", len(registered), registered)
	}
	var missing, extra []string
	for k := range registered {
		if documented[k] == nil {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if _, ok := registered[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in openapi.json: %v\ndocumented but not registered: %v", missing, extra)
	}
}

// Every operation that the app guards with the operator token says so, and no other does; each
// documents its path parameters, and its error responses as problem+json.
func TestOpenAPIOperations(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	if s := resolve(t, doc, obj(obj(doc["components"])["securitySchemes"])["bearer"]); s["type"] != "http" || s["scheme"] != "bearer" {
		t.Fatalf("bearer security scheme: %v", s)
	}
	template := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range operations(doc) {
		method, path, _ := strings.Cut(key, " ")

		// Ask the app without a token: 401 means the route is an operator route.
		concrete := strings.NewReplacer("{code}", "vol:1", "{id}", "1").Replace(path)
		resp, err := app.Test(httptest.NewRequest(method, concrete, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		guarded := resp.StatusCode == 401
		var schemes []string
		security, _ := op["security"].([]any)
		for _, req := range security {
			for name := range obj(req) {
				schemes = append(schemes, name)
			}
		}
		if documentedGuard := slices.Contains(schemes, "bearer"); documentedGuard != guarded {
			t.Errorf("%s: the app answers %d without a token, the document's security is %v", key, resp.StatusCode, op["security"])
		}
		responses := obj(op["responses"])
		if len(responses) == 0 {
			t.Errorf("%s: no responses", key)
		}
		if guarded && responses["401"] == nil {
			t.Errorf("%s: guarded but 401 undocumented", key)
		}

		// Path parameters.
		declared := map[string]string{}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p := resolve(t, doc, p)
			declared[p["name"].(string)] = p["in"].(string)
			if p["in"] == "path" && p["required"] != true {
				t.Errorf("%s: path parameter %v is not required", key, p["name"])
			}
		}
		for _, m := range template.FindAllStringSubmatch(path, -1) {
			if declared[m[1]] != "path" {
				t.Errorf("%s: path parameter %s undeclared", key, m[1])
			}
		}

		// Errors are problems.
		for code, r := range responses {
			r := resolve(t, doc, r)
			if r["description"] == nil {
				t.Errorf("%s %s: no description", key, code)
			}
			if code[0] != '4' && code[0] != '5' || !strings.HasPrefix(path, "/api/") {
				continue
			}
			schema := obj(obj(obj(r["content"])["application/problem+json"])["schema"])
			if schema["$ref"] != "#/components/schemas/Problem" {
				t.Errorf("%s %s: not an application/problem+json Problem: %v", key, code, r["content"])
			}
		}
	}
}

func op0(t *testing.T, doc map[string]any, key string) map[string]any {
	t.Helper()
	op := operations(doc)[key]
	if op == nil {
		t.Fatalf("%s undocumented", key)
	}
	return op
}

// The status codes each write can answer, its idempotency header and its request body.
func TestOpenAPIStatusesAndBodies(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	for _, c := range []struct {
		op       string
		statuses []string
		key      bool   // Idempotency-Key required
		replay   bool   // 200 with Idempotent-Replayed
		body     string // schema of the request body
		optional bool   // the body may be left out
	}{
		{"POST /api/v1/accounts", []string{"201", "400", "401", "409", "415"}, false, false, "NewAccount", false},
		{"POST /api/v1/transactions", []string{"201", "200", "400", "401", "404", "409", "415", "422"}, true, true, "TransactionRequest", false},
		{"POST /api/v1/transactions/{id}/reverse", []string{"201", "200", "400", "401", "404", "409", "415", "422"}, false, true, "ReverseRequest", true},
		{"POST /api/v1/holds", []string{"201", "200", "400", "401", "404", "409", "415", "422"}, true, true, "HoldRequest", false},
		{"POST /api/v1/holds/{id}/commit", []string{"201", "200", "400", "401", "404", "409", "415"}, false, true, "CommitRequest", true},
		{"POST /api/v1/holds/{id}/void", []string{"200", "400", "401", "404", "409"}, false, false, "", false},
		{"GET /api/v1/accounts/{code}", []string{"200", "400", "401", "404"}, false, false, "", false},
		{"GET /api/v1/accounts/{code}/balance", []string{"200", "400", "401", "404"}, false, false, "", false},
		{"GET /api/v1/accounts/{code}/entries", []string{"200", "400", "401", "404"}, false, false, "", false},
		{"GET /api/v1/transactions/{id}", []string{"200", "400", "401", "404"}, false, false, "", false},
		{"GET /api/v1/holds/{id}", []string{"200", "400", "401", "404"}, false, false, "", false},
		{"GET /readyz", []string{"200", "503"}, false, false, "", false},
	} {
		op := op0(t, doc, c.op)
		responses := obj(op["responses"])
		for _, s := range c.statuses {
			if responses[s] == nil {
				t.Errorf("%s: %s undocumented", c.op, s)
			}
		}
		hasKey := false
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p := resolve(t, doc, p)
			if p["name"] == "Idempotency-Key" && p["in"] == "header" && p["required"] == true {
				hasKey = true
			}
		}
		if hasKey != c.key {
			t.Errorf("%s: required Idempotency-Key header documented: %v, want %v", c.op, hasKey, c.key)
		}
		if c.replay {
			h := obj(resolve(t, doc, responses["200"])["headers"])["Idempotent-Replayed"]
			if h == nil {
				t.Errorf("%s: 200 without the Idempotent-Replayed header", c.op)
			}
		}
		rb := obj(op["requestBody"])
		if c.body == "" {
			if rb != nil {
				t.Errorf("%s: documents a body", c.op)
			}
			continue
		}
		schema := obj(obj(obj(rb["content"])["application/json"])["schema"])
		if schema["$ref"] != "#/components/schemas/"+c.body || (rb["required"] == true) == c.optional {
			t.Errorf("%s: request body %v, want %s (optional %v)", c.op, rb, c.body, c.optional)
		}
	}
	// The request bodies and the problem document.
	schemas := obj(obj(doc["components"])["schemas"])
	for schema, fields := range map[string][]string{
		"Problem":            {"type", "title", "status", "detail", "instance", "request_id", "account", "errors"},
		"FieldError":         {"field", "reason", "message"},
		"TransactionRequest": {"kind", "memo", "reference", "postings"},
		"CommitRequest":      {"amount"},
		"ReverseRequest":     {"memo"},
	} {
		p := obj(obj(schemas[schema])["properties"])
		for _, f := range fields {
			if p[f] == nil {
				t.Errorf("schema %s lacks %s", schema, f)
			}
		}
	}
	if items := obj(obj(obj(obj(schemas["TransactionRequest"])["properties"])["postings"])["items"]); items["$ref"] != "#/components/schemas/PostingRequest" {
		t.Errorf("TransactionRequest.postings items: %v", items)
	}
	if items := obj(obj(obj(obj(schemas["Problem"])["properties"])["errors"])["items"]); items["$ref"] != "#/components/schemas/FieldError" {
		t.Errorf("Problem.errors items: %v", items)
	}
}
