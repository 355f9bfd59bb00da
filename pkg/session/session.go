// Package session keeps signed-in people's sessions in Redis. A session is named by a random token
// that the browser holds in an HttpOnly cookie (or an app sends as a bearer token). The token is
// signed, so a forged or mistyped one is refused without asking Redis, and Redis keeps only its hash,
// so a copy of Redis does not let anyone sign in. Sessions expire; signing out ends one session or
// every session of a person.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNoSession means the token is malformed, forged, expired or signed out.
var ErrNoSession = errors.New("session: no such session")

// Store keeps sessions in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	key    []byte
	ttl    time.Duration
}

// NewStore returns a store whose tokens are signed with a key derived from secret, and whose
// sessions last ttl from their last use.
func NewStore(rdb redis.UniversalClient, prefix string, secret []byte, ttl time.Duration) *Store {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("timebank session token v1"))
	return &Store{rdb: rdb, prefix: prefix, key: m.Sum(nil), ttl: ttl}
}

// Session is a signed-in person's session.
type Session struct {
	UserID  int64
	App     bool      // issued to an app as a bearer token, not to a browser cookie
	Created time.Time // when the person signed in
}

const randomLen = 24 // bytes of randomness in a token

// sign returns the MAC part of a token for its random part.
func (s *Store) sign(random []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(random)
	return m.Sum(nil)[:16]
}

// parse checks the token's signature and returns the Redis key of its session.
func (s *Store) parse(token string) (string, error) {
	r64, m64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 100 {
		return "", ErrNoSession
	}
	random, err1 := base64.RawURLEncoding.DecodeString(r64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	// The decoder skips newlines: comparing the re-encoded parts keeps one token to one spelling.
	if err1 != nil || err2 != nil || len(random) != randomLen || base64.RawURLEncoding.EncodeToString(random) != r64 ||
		base64.RawURLEncoding.EncodeToString(mac) != m64 || !hmac.Equal(mac, s.sign(random)) {
		return "", ErrNoSession
	}
	sum := sha256.Sum256(random)
	return s.prefix + "sess:" + hex.EncodeToString(sum[:]), nil
}

func (s *Store) userKey(uid int64) string { return s.prefix + "usess:" + strconv.FormatInt(uid, 10) }

// Create starts a session for the user and returns its token, to be shown once.
func (s *Store) Create(ctx context.Context, uid int64, app bool) (string, error) {
	random := make([]byte, randomLen)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(random) + "." + base64.RawURLEncoding.EncodeToString(s.sign(random))
	key, _ := s.parse(token)
	now := time.Now()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "uid", uid, "app", app, "created", now.Unix())
		p.Expire(ctx, key, s.ttl)
		// The person's set of sessions, for signing out everywhere. It outlives each session.
		p.SAdd(ctx, s.userKey(uid), key)
		p.Expire(ctx, s.userKey(uid), s.ttl+time.Hour)
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Get returns the token's session and extends its life.
// Errors: ErrNoSession.
func (s *Store) Get(ctx context.Context, token string) (Session, error) {
	key, err := s.parse(token)
	if err != nil {
		return Session{}, err
	}
	var get *redis.MapStringStringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.HGetAll(ctx, key)
		p.Expire(ctx, key, s.ttl)
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	m := get.Val()
	uid, err := strconv.ParseInt(m["uid"], 10, 64)
	if err != nil || uid <= 0 {
		return Session{}, ErrNoSession
	}
	created, _ := strconv.ParseInt(m["created"], 10, 64)
	return Session{UserID: uid, App: m["app"] == "1", Created: time.Unix(created, 0)}, nil
}

// Delete ends one session. Ending a session that does not exist is not an error.
func (s *Store) Delete(ctx context.Context, token string) error {
	key, err := s.parse(token)
	if err != nil {
		return nil
	}
	uid, err := s.rdb.HGet(ctx, key, "uid").Int64()
	if errors.Is(err, redis.Nil) {
		return nil
	} else if err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.SRem(ctx, s.userKey(uid), key)
		return nil
	})
	return err
}

// DeleteAll ends every session of the user (signing out everywhere, or after a password change).
func (s *Store) DeleteAll(ctx context.Context, uid int64) error {
	keys, err := s.rdb.SMembers(ctx, s.userKey(uid)).Result()
	if err != nil {
		return err
	}
	// One key at a time: in a Redis Cluster the sessions live in different slots.
	for _, k := range keys {
		if err := s.rdb.Del(ctx, k).Err(); err != nil {
			return err
		}
	}
	return s.rdb.Del(ctx, s.userKey(uid)).Err()
}

// CSRFToken returns the anti-forgery token bound to a session token: forms and scripts of a signed-in
// page send it back, and a request from another site cannot know it.
func (s *Store) CSRFToken(token string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("csrf:"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// NewAnonymousToken returns a random token for the double-submit cookie that protects the forms of
// people not yet signed in (log-in and registration).
func NewAnonymousToken() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
