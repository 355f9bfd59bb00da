package session

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limits of password guessing. A number and an address together get PairAttempts checks in
// PairWindow: one phone guessing one number is stopped at once. A number from every address gets
// FreeAttempts checks, then each further check waits twice as long as the one before (the first
// wait is FirstDelay), up to MaxDelay: guessing from many addresses slows to a crawl. A browser that signed in as the number
// before (Known) is exempt from the number-wide delay, so such an attack does not lock the number's
// owner out — a counter clerk, say — while it lasts.
const (
	PairAttempts = 5
	PairWindow   = 15 * time.Minute
	FreeAttempts = 10
	MaxDelay     = 15 * time.Minute
	numberWindow = time.Hour
)

// ErrWait means a password may not be checked now; see Wait.
var ErrWait = errors.New("session: too many sign-in attempts")

// WaitError says how long until the next check may be made.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string { return ErrWait.Error() }

// Unwrap returns ErrWait.
func (e *WaitError) Unwrap() error { return ErrWait }

// SignInGuard decides, before a password is checked, whether it may be: each attempt is reserved
// and counted in one step, so of 25 guesses at once no more than the limit are checked.
type SignInGuard struct {
	// FirstDelay is the wait after the number's free attempts, doubling with each further one (one
	// second by default).
	FirstDelay time.Duration

	limits *Limiter
	rdb    redis.UniversalClient
	key    []byte
	local  *localDelays
}

// NewSignInGuard returns the guard over the limiter's Redis and key.
func NewSignInGuard(l *Limiter) *SignInGuard {
	return &SignInGuard{FirstDelay: time.Second, limits: l, rdb: l.rdb, key: l.key, local: &localDelays{m: map[string]*localDelay{}}}
}

// delayScript reserves one attempt on a number (KEYS[1]) unless its delay runs: it returns the
// milliseconds to wait, or 0 and counts the attempt and sets the next delay. ARGV: free attempts,
// the longest delay, the window and the first delay, in milliseconds. Redis's own clock, so every
// server agrees.
var delayScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local nxt = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if now < nxt then return nxt - now end
f = f + 1
local d = 0
local free = tonumber(ARGV[1])
if f > free then d = math.min(tonumber(ARGV[4]) * 2 ^ (f - free - 1), tonumber(ARGV[2])) end
redis.call('HSET', KEYS[1], 'f', f, 'n', now + d)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0`)

// Begin reserves one password check of phone (normalised) from addr, or returns a *WaitError.
// known says the browser signed in as this number before (see Known). When Redis cannot be asked,
// the guard counts in this process: it never lets guesses through unlimited.
func (g *SignInGuard) Begin(ctx context.Context, phone, addr string, known bool) error {
	if ok, _ := g.limits.Allow(ctx, "signin-pair:"+phone+"|"+addr, PairAttempts, PairWindow); !ok {
		return &WaitError{Wait: PairWindow}
	}
	if known {
		return nil
	}
	key := g.limits.redisKey("signin-number:" + phone)
	ms, err := delayScript.Run(ctx, g.rdb, []string{key}, FreeAttempts, MaxDelay.Milliseconds(), numberWindow.Milliseconds(),
		g.FirstDelay.Milliseconds()).Int64()
	if err != nil {
		ms = g.local.reserve(key, g.FirstDelay)
	}
	if ms > 0 {
		return &WaitError{Wait: time.Duration(ms) * time.Millisecond}
	}
	return nil
}

// Succeeded forgets the failures of phone, everywhere, and of the address's pair: the owner is in.
func (g *SignInGuard) Succeeded(ctx context.Context, phone, addr string) {
	_ = g.limits.Reset(ctx, "signin-pair:"+phone+"|"+addr)
	key := g.limits.redisKey("signin-number:" + phone)
	g.local.reset(key)
	_ = g.rdb.Del(ctx, key).Err()
}

// KnownMark is the value of the cookie a browser keeps after signing in as phone, by which Known
// recognises it later.
func (g *SignInGuard) KnownMark(phone string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte("signed-in-before:" + phone))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Known reports whether mark is the browser's mark of phone.
func (g *SignInGuard) Known(phone, mark string) bool {
	return mark != "" && hmac.Equal([]byte(mark), []byte(g.KnownMark(phone)))
}

// localDelays is the number-wide delay kept in this process while Redis is down.
type localDelays struct {
	mu sync.Mutex
	m  map[string]*localDelay
}

type localDelay struct {
	f    int
	next time.Time
	ends time.Time
}

func (d *localDelays) reserve(key string, first time.Duration) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if len(d.m) > 100_000 {
		for k, v := range d.m {
			if now.After(v.ends) {
				delete(d.m, k)
			}
		}
	}
	e, ok := d.m[key]
	if !ok || now.After(e.ends) {
		e = &localDelay{}
		d.m[key] = e
	}
	if now.Before(e.next) {
		return e.next.Sub(now).Milliseconds() + 1
	}
	e.f++
	e.ends = now.Add(numberWindow)
	if e.f > FreeAttempts {
		wait := math.Min(float64(first)*math.Pow(2, float64(e.f-FreeAttempts-1)), float64(MaxDelay))
		e.next = now.Add(time.Duration(wait))
	}
	return 0
}

func (d *localDelays) reset(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, key)
}
