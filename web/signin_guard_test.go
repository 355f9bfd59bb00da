package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/session"
	"timebank/web"
)

// guardWorld is the app served on a real loopback listener, so that requests come from addresses
// of their own (127.0.0.2, 127.0.0.3 …), over the test's database and the given Redis.
type guardWorld struct {
	url   string
	rdb   redis.UniversalClient
	app   *fiber.App
	users *identity.Users
}

func newGuardWorld(t *testing.T, rdb redis.UniversalClient, prefix string, change ...func(*config.Config)) guardWorld {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisPrefix = prefix
	for _, f := range change {
		f(&cfg)
	}
	svc, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), dbtest.New(t), rdb)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Listen(t, svc.Invalidation)
	// The first wait after a number's free attempts is a minute here, not a second, so that no
	// assertion depends on how fast the machine runs the test.
	svc.SignIn.FirstDelay = time.Minute
	a, err := web.New(svc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Listener(ln) }()
	t.Cleanup(func() { _ = a.Shutdown() })
	return guardWorld{url: "http://" + ln.Addr().String(), rdb: rdb, app: a, users: svc.Users}
}

// from returns a client whose connections come from ip, with a cookie jar of its own (a browser).
func from(ip string) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func (w guardWorld) post(t *testing.T, c *http.Client, path, body string) int {
	t.Helper()
	resp, err := c.Post(w.url+path, fiber.MIMEApplicationJSON, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (w guardWorld) login(t *testing.T, c *http.Client, phone, password string) int {
	return w.post(t, c, "/api/v1/login", fmt.Sprintf(`{"phone":%q,"password":%q}`, phone, password))
}

// loginVia signs in with an X-Forwarded-For header, as a reverse proxy passes it on.
func (w guardWorld) loginVia(t *testing.T, c *http.Client, forwarded, phone, password string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.url+"/api/v1/login",
		strings.NewReader(fmt.Sprintf(`{"phone":%q,"password":%q}`, phone, password)))
	req.Header.Set("Content-Type", fiber.MIMEApplicationJSON)
	req.Header.Set("X-Forwarded-For", forwarded)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// guesses sends wrong passwords for phone at once, one per client, and counts the answers.
func (w guardWorld) guesses(t *testing.T, clients []*http.Client, phone string) map[int]int {
	t.Helper()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		got = map[int]int{}
	)
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s := w.login(t, c, phone, fmt.Sprintf("wrong-guess-%d", i))
			mu.Lock()
			got[s]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return got
}

const guardPhone, guardPass = "13700001234", "Haining-river-2026"

// Guessing is counted before the password is checked, so 25 guesses at once from one address get
// five checks; the number's owner elsewhere is not locked out; many addresses slow down to a
// crawl, except for a browser that signed in as the number before.
func TestSignInGuard(t *testing.T) {
	t.Parallel()
	rdb, prefix := dbtest.Redis(t)
	w := newGuardWorld(t, rdb, prefix)
	if s := w.post(t, from("127.0.0.9"), "/api/v1/register", fmt.Sprintf(`{"phone":%q,"password":%q,"name":"陈志强","code":%q}`, guardPhone, guardPass,
		w.users.RegistrationCode(guardPhone, time.Now()))); s != 201 {
		t.Fatalf("register: %d", s)
	}
	one := make([]*http.Client, 25)
	attacker := from("127.0.0.2")
	for i := range one {
		one[i] = attacker
	}
	if got := w.guesses(t, one, guardPhone); got[401] != session.PairAttempts || got[429] != 25-session.PairAttempts {
		t.Fatalf("25 guesses at once from one address: %v, want %d checked (401) and the rest 429", got, session.PairAttempts)
	}
	owner := from("127.0.0.3")
	if s := w.login(t, owner, guardPhone, guardPass); s != 200 {
		t.Fatalf("the owner from another address: %d", s)
	}

	many := make([]*http.Client, 20)
	for i := range many {
		many[i] = from(fmt.Sprintf("127.0.1.%d", i+1))
	}
	if got := w.guesses(t, many, guardPhone); got[401] != session.FreeAttempts+1 || got[429] != 20-session.FreeAttempts-1 {
		t.Fatalf("20 guesses at once from 20 addresses: %v, want %d checked", got, session.FreeAttempts+1)
	}
	if s := w.login(t, from("127.0.0.4"), guardPhone, guardPass); s != 429 {
		t.Fatalf("a new browser during the attack: %d, want 429", s)
	}
	// The owner's browser, signed out since (only the mark of its earlier sign-in kept), gets in.
	u, _ := url.Parse(w.url)
	back := from("127.0.0.3")
	for _, c := range owner.Jar.Cookies(u) {
		if c.Name == "tb_known" {
			back.Jar.SetCookies(u, []*http.Cookie{c})
		}
	}
	if len(back.Jar.Cookies(u)) != 1 {
		t.Fatalf("no mark of the earlier sign-in: %v", owner.Jar.Cookies(u))
	}
	if s := w.login(t, back, guardPhone, guardPass); s != 200 {
		t.Fatalf("the owner's own browser during the attack: %d, want 200", s)
	}

	// No phone number in any Redis key.
	for _, k := range dbtest.Keys(t, rdb, prefix+"*") {
		if strings.Contains(k, guardPhone) || strings.Contains(k, "127.0.") {
			t.Errorf("Redis key %q names a number or an address", k)
		}
	}
}

// With Redis down the limits hold (counted in the process) and nobody gets a 500.
func TestSignInGuardWithoutRedis(t *testing.T) {
	t.Parallel()
	srv := dbtest.NewRedisServer(t)
	rdb := srv.Client()
	defer rdb.Close()
	w := newGuardWorld(t, rdb, "tb:")
	if s := w.post(t, from("127.0.0.9"), "/api/v1/register", fmt.Sprintf(`{"phone":%q,"password":%q,"name":"陈志强","code":%q}`, guardPhone, guardPass,
		w.users.RegistrationCode(guardPhone, time.Now()))); s != 201 {
		t.Fatalf("register: %d", s)
	}
	srv.Kill()
	one := make([]*http.Client, 25)
	attacker := from("127.0.0.2")
	for i := range one {
		one[i] = attacker
	}
	if got := w.guesses(t, one, guardPhone); got[401] != session.PairAttempts || got[429] != 25-session.PairAttempts {
		t.Fatalf("25 guesses at once with Redis down: %v, want %d checked (401) and the rest 429", got, session.PairAttempts)
	}
}

// Behind a trusted reverse proxy each client is counted by the address the proxy saw, not by the
// proxy's; what a client writes into X-Forwarded-For itself is not believed, and neither is the
// header from a peer that is not a trusted proxy.
func TestClientAddressBehindProxy(t *testing.T) {
	t.Parallel()
	rdb, prefix := dbtest.Redis(t)
	w := newGuardWorld(t, rdb, prefix, func(c *config.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	proxy, direct := from("127.0.0.1"), from("127.0.0.2")
	for i := range session.PairAttempts {
		if s := w.loginVia(t, proxy, "198.51.100.7", guardPhone, "wrong"); s != 401 {
			t.Fatalf("guess %d through the proxy: %d", i, s)
		}
	}
	if s := w.loginVia(t, proxy, "198.51.100.7", guardPhone, "wrong"); s != 429 {
		t.Fatalf("one client past the limit through the proxy: %d", s)
	}
	if s := w.loginVia(t, proxy, "198.51.100.8", guardPhone, "wrong"); s != 401 {
		t.Fatalf("another client through the same proxy: %d, want its own count", s)
	}
	if s := w.loginVia(t, proxy, "203.0.113.1, 198.51.100.7", guardPhone, "wrong"); s != 429 {
		t.Fatalf("a client that wrote its own X-Forwarded-For: %d, want counted as the address the proxy saw", s)
	}
	for i := range session.PairAttempts {
		if s := w.loginVia(t, direct, fmt.Sprintf("192.0.2.%d", i), "13700009999", "wrong"); s != 401 {
			t.Fatalf("guess %d from an untrusted peer: %d", i, s)
		}
	}
	if s := w.loginVia(t, direct, "192.0.2.99", "13700009999", "wrong"); s != 429 {
		t.Fatalf("an untrusted peer's X-Forwarded-For was believed: %d", s)
	}
}

// The metrics address answers /metrics without a token and nothing else; the main address answers
// /metrics to the scraper's token only.
func TestMetricsAddress(t *testing.T) {
	t.Parallel()
	rdb, prefix := dbtest.Redis(t)
	metricsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const scraper = "scraper-token-0123456789"
	w := newGuardWorld(t, rdb, prefix, func(c *config.Config) {
		c.MetricsAddr, c.MetricsToken = metricsLn.Addr().String(), scraper
	})
	go func() { _ = w.app.Listener(metricsLn) }()
	get := func(base, path, token string) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	metrics := "http://" + metricsLn.Addr().String()
	for _, c := range []struct {
		base, path, token string
		want              int
	}{
		{metrics, "/metrics", "", 200},
		{metrics, "/healthz", "", 404},
		{metrics, "/api/v1/openapi.json", "", 404},
		{w.url, "/metrics", "", 404},
		{w.url, "/metrics", "not-the-scraper-token", 404},
		{w.url, "/metrics", scraper, 200},
		{w.url, "/healthz", "", 200},
	} {
		if got := get(c.base, c.path, c.token); got != c.want {
			t.Errorf("GET %s%s (token %q): %d, want %d", c.base, c.path, c.token, got, c.want)
		}
	}
}
