package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"timebank/pkg/store"
	"timebank/web/problem"
)

// zeros is an endless reader of zero bytes, the padding of an oversize body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// sendOversize sends a request whose body (prefix, then zeros) is size bytes long over a new
// connection to addr, and reads the answer. The body is written by its own goroutine while the
// answer is read, as the server answers and closes the connection without reading the rest of the
// body (so the writer's error is expected and ignored). app.Test cannot show this answer: it
// enforces the limit but returns the server's error instead of the response it wrote.
func sendOversize(t *testing.T, addr, method, path string, headers map[string]string, prefix []byte, size int64) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Minute)) // a server that never answered must not hang the test
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, addr, size)
	for k, v := range headers {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	head.WriteString("\r\n")
	written := make(chan struct{})
	go func() {
		defer close(written)
		if _, err := io.WriteString(conn, head.String()); err != nil {
			return
		}
		if _, err := conn.Write(prefix); err != nil {
			return
		}
		_, _ = io.CopyN(conn, zeros{}, size-int64(len(prefix)))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s with a %d-byte body: %v", method, path, size, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	resp.Body.Close()
	conn.Close()
	<-written
	return resp, body
}

// A body over the server's limit is refused before any route runs, and the refusal looks like any
// other: 413 as a problem document in the caller's language (Chinese by default) for the API, the
// error page for a browser; the photo it carried is not kept.
func TestOversizeBody(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	addr := strings.TrimPrefix(serve(t, app), "http://")
	photoPath := "/api/v1/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	picture := photoPNG(t, 20, 20)

	for _, tc := range []struct {
		name, method, path string
		size               int64
		headers            map[string]string
	}{
		{"a 50 MB photo", "PUT", photoPath, 50 << 20,
			map[string]string{"Authorization": "Bearer " + w.tokens[managerSA], "Content-Type": "image/png"}},
		{"a 13 MB post to the API", "POST", "/api/v1/stores/" + id(w.sa.ID) + "/items", 13 << 20,
			map[string]string{"Authorization": "Bearer " + w.tokens[managerSA], "Content-Type": "application/json"}},
		{"a body just over the limit", "POST", "/api/v1/transactions", bodyLimit + 1,
			map[string]string{"Content-Type": "application/json"}},
	} {
		for _, lang := range []struct{ accept, contentLang, title string }{
			{"", "zh-CN", "请求内容过大"},
			{"en", "en", "Request body too large"},
		} {
			h := map[string]string{"Accept-Language": lang.accept}
			for k, v := range tc.headers {
				h[k] = v
			}
			resp, body := sendOversize(t, addr, tc.method, tc.path, h, picture, tc.size)
			var p problem.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("%s (%q): not a problem document: %v: %.200s", tc.name, lang.accept, err, body)
			}
			if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/problem+json" ||
				resp.Header.Get("Content-Language") != lang.contentLang {
				t.Errorf("%s (%q): %d %s %s", tc.name, lang.accept, resp.StatusCode,
					resp.Header.Get("Content-Type"), resp.Header.Get("Content-Language"))
			}
			if p.Status != 413 || !strings.HasSuffix(p.Type, "/problems/too-large") || p.Title != lang.title ||
				p.Instance != tc.path {
				t.Errorf("%s (%q): %+v", tc.name, lang.accept, p)
			}
			// Refused before any middleware ran, it still has a request id, as header and in the document.
			if rid := resp.Header.Get("X-Request-Id"); len(rid) != 16 || p.RequestID != rid {
				t.Errorf("%s (%q): request id %q, in the document %q", tc.name, lang.accept, rid, p.RequestID)
			}
		}
	}

	// The caller's own request id is kept, and a method that is not HTTP's is counted as OTHER: each
	// refusal is in the metrics under the route "(refused)".
	resp, body := sendOversize(t, addr, "FROBNICATE", "/api/v1/transactions",
		map[string]string{"X-Request-Id": "counter-7-0042"}, nil, bodyLimit+1)
	var p problem.Problem
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != 413 ||
		resp.Header.Get("X-Request-Id") != "counter-7-0042" || p.RequestID != "counter-7-0042" {
		t.Errorf("a refusal with the caller's request id: %d %q %+v %v", resp.StatusCode, resp.Header.Get("X-Request-Id"), p, err)
	}
	mreq, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	mreq.Header.Set("Authorization", "Bearer "+testMetricsToken)
	mresp, err := http.DefaultClient.Do(mreq)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	metrics := string(raw)
	for _, series := range []string{
		`timebank_http_requests_total{method="PUT",route="(refused)",status="413"} 2`,
		`timebank_http_requests_total{method="POST",route="(refused)",status="413"} 4`,
		`timebank_http_requests_total{method="OTHER",route="(refused)",status="413"} 1`,
	} {
		if !strings.Contains(metrics, series+"\n") {
			t.Errorf("the metrics lack %s", series)
		}
	}

	// The item page's form, posted by a browser: the error page, in the person's language.
	formPath := "/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	for _, lang := range []struct{ accept, html, title string }{
		{"", `<html lang="zh-CN">`, "请求内容过大"},
		{"en", `<html lang="en">`, "Request body too large"},
	} {
		resp, body := sendOversize(t, addr, "POST", formPath, map[string]string{
			"Accept": "text/html", "Accept-Language": lang.accept,
			"Content-Type": "multipart/form-data; boundary=x",
		}, []byte("--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\r\n"), 13<<20)
		page := string(body)
		if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page, lang.html) || !strings.Contains(page, `data-testid="error-title">`+lang.title+"<") {
			t.Errorf("the form (%q): %d %s: %.300s", lang.accept, resp.StatusCode, resp.Header.Get("Content-Type"), page)
		}
	}

	// Nothing was kept: the item has no photo, no photo change was audited, and the store has no
	// item but the fixture's.
	ctx := context.Background()
	if _, err := d.Store.ItemPhoto(ctx, w.sa.ID, itemID); err != store.ErrPhotoNotFound {
		t.Errorf("the item's photo after the refusals: %v", err)
	}
	var audited int
	if err := d.DB.GetContext(ctx, &audited,
		`SELECT count(*) FROM audit_log WHERE action LIKE 'store.item_photo%' AND store_id = $1`, w.sa.ID); err != nil {
		t.Fatal(err)
	}
	if audited != 0 {
		t.Errorf("%d photo changes audited", audited)
	}
	items, err := d.Store.Items(ctx, w.sa.ID, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != itemID {
		t.Errorf("the store's items after the refusals: %d", len(items))
	}
}
