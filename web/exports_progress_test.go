package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// An Excel export asked with ?progress= tells how it goes at /api/v1/exports/progress/{id}: not done
// while it is written, then done with every row written and the plan's estimate of the total; the
// id is the caller's own (another person gets a 404), and a malformed id is a 400 before any file.
func TestExportProgress(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	base := serve(t, app)
	seedRecords(t, d.DB, w.a.ID, "8", 10, 500)
	const id = "progress-test-0123456789"
	get := func(token, path string) (int, []byte) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	exported := make(chan int, 1)
	go func() {
		status, body := get(w.tokens[coordA], fmt.Sprintf("/api/v1/orgs/%d/records.xlsx?progress=%s", w.a.ID, id))
		if status != 200 {
			t.Errorf("export: %d %s", status, body[:min(len(body), 200)])
		}
		exported <- len(body)
	}()
	var last struct {
		Rows, Total int
		Done        bool
	}
	for polls := 0; !last.Done; polls++ {
		status, b := get(w.tokens[coordA], "/api/v1/exports/progress/"+id)
		if status == 200 {
			var p struct {
				Rows, Total int
				Done        bool
			}
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			if p.Rows < last.Rows {
				t.Fatalf("rows went back from %d to %d", last.Rows, p.Rows)
			}
			last = p
		} else if status != 404 || polls > 100000 {
			t.Fatalf("progress: %d %s after %d polls", status, b, polls)
		}
	}
	if n := <-exported; n == 0 || last.Rows != 5000 || last.Total < 1 {
		t.Errorf("the end: %+v, a file of %d bytes", last, n)
	}
	if status, _ := get(w.tokens[adminA], "/api/v1/exports/progress/"+id); status != 404 {
		t.Errorf("another person reads the progress: %d", status)
	}
	for _, path := range []string{"/api/v1/exports/progress/short", fmt.Sprintf("/api/v1/orgs/%d/records.xlsx?progress=no%%20spaces%%20allowed%%20here", w.a.ID)} {
		if status, b := get(w.tokens[coordA], path); status != 400 {
			t.Errorf("%s: %d %s", path, status, b)
		}
	}
}
