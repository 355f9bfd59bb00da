package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/web/problem"
)

// answer is a response: its status and body.
type answer struct {
	status int
	raw    []byte
}

// storeReq sends a request as the caller (a bearer token, "" for anonymous).
func storeReq(t *testing.T, app *fiber.App, token, method, path, body string, headers ...string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, raw}
}

// ok decodes a successful answer into v (unless nil), or fails with the answer.
func (a answer) ok(t *testing.T, want int, v any) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d: %s", a.status, want, a.raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.raw, v); err != nil {
			t.Fatalf("%v: %s", err, a.raw)
		}
	}
}

// problem decodes a problem document and checks its status and slug.
func (a answer) problem(t *testing.T, status int, slug string) problem.Problem {
	t.Helper()
	var p problem.Problem
	if err := json.Unmarshal(a.raw, &p); err != nil || a.status != status || !strings.HasSuffix(p.Type, "/problems/"+slug) {
		t.Fatalf("got %d %s, want %d %s", a.status, a.raw, status, slug)
	}
	return p
}

var storeKeys struct {
	sync.Mutex
	n int
}

// idem returns the Idempotency-Key header of a fresh key.
func idem() []string {
	storeKeys.Lock()
	defer storeKeys.Unlock()
	storeKeys.n++
	return []string{"Idempotency-Key", fmt.Sprintf("web-%d-%d", time.Now().UnixNano(), storeKeys.n)}
}
