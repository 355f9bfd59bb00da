package web

import (
	"context"
	"testing"

	"github.com/valyala/fasthttp"

	"timebank/pkg/identity"
)

// The request path around the read, measured in process with no network: the whole middleware
// chain (request id, metrics, access log, headers, authentication, authorization) and the handler,
// for a health check and for a signed-in balance read with an app's bearer token.
//
//	go test -run '^$' -bench Middleware -benchmem ./web/
func BenchmarkMiddlewareHealthz(b *testing.B) {
	a, _ := newBenchApp(b)
	benchRequest(b, a, "/healthz", "")
}

func BenchmarkMiddlewareBalance(b *testing.B) {
	a, d := newBenchApp(b)
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: "13900139099", Password: testPassword, Name: "基准"})
	if err != nil {
		b.Fatal(err)
	}
	token, err := d.Sessions.Create(ctx, u.ID, true)
	if err != nil {
		b.Fatal(err)
	}
	benchRequest(b, a, "/api/v1/me/balance", "Bearer "+token)
}

func newBenchApp(b *testing.B) (fasthttp.RequestHandler, services) {
	b.Helper()
	a, d := newTestAppWith(b, nil)
	return a.Handler(), d
}

func benchRequest(b *testing.B, h fasthttp.RequestHandler, path, auth string) {
	b.Helper()
	var rc fasthttp.RequestCtx
	run := func() {
		rc.Request.Reset()
		rc.Response.Reset()
		rc.Request.Header.SetMethod(fasthttp.MethodGet)
		rc.Request.SetRequestURI(path)
		if auth != "" {
			rc.Request.Header.Set(fasthttp.HeaderAuthorization, auth)
		}
		h(&rc)
		if rc.Response.StatusCode() != fasthttp.StatusOK {
			b.Fatalf("%s: %d %s", path, rc.Response.StatusCode(), rc.Response.Body())
		}
	}
	run() // the first read loads what is then kept
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}
