package web

import (
	"context"
	"testing"

	"timebank/web/guard"
)

// A counter or kiosk stays signed in when Redis loses its session (a restart, a flush): the session
// is kept in PostgreSQL too. Signed out, it stays out.
func TestDeviceSessionOutlivesRedis(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)
	kiosk := "/activities/" + id(f.act[0]) + "/kiosk"
	b := newBrowser(t, app)
	deviceSignIn(t, b, w.tokens[kioskA], "")
	key, ok := deviceSessionKeyFor(t, d, b.jar[guard.CookieDevice])
	if !ok {
		t.Fatal("no device session cookie")
	}
	ctx := context.Background()
	if n, err := d.Redis.Del(ctx, key).Result(); err != nil || n != 1 {
		t.Fatalf("the device session was not in Redis (%d, %v)", n, err)
	}
	if r := b.get(kiosk); r.status != 200 {
		t.Fatalf("the kiosk after Redis lost its session: %d", r.status)
	}
	if n, _ := d.Redis.Exists(ctx, key).Result(); n != 1 {
		t.Fatal("the session was not cached in Redis again")
	}
	sid := b.jar[guard.CookieDevice]
	if err := d.DeviceSessions.End(ctx, sid); err != nil {
		t.Fatal(err)
	}
	if id, err := d.DeviceSessions.Device(ctx, sid); err != nil || id != 0 {
		t.Fatalf("an ended device session still names device %d (%v)", id, err)
	}
}
