// Package session keeps signed-in people's sessions: in PostgreSQL, which outlives any Redis outage
// or restart, and in Redis, which answers every request. A session is named by a random token that
// the browser holds in an HttpOnly cookie (or an app sends as a bearer token). The token is signed,
// so a forged or mistyped one is refused without asking anyone, and both stores keep only its hash,
// so a copy of either does not let anyone sign in. Sessions expire after ttl without use; signing
// out ends one session or every session of a person, in both stores.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/invalidate"
)

// ErrNoSession means the token is malformed, forged, expired or signed out.
var ErrNoSession = errors.New("session: no such session")

// Store keeps sessions in PostgreSQL and Redis.
type Store struct {
	db     *sqlx.DB
	rdb    redis.UniversalClient
	prefix string
	key    []byte
	ttl    time.Duration
	mem    *invalidate.Map[string, Session] // nil: every check reads Redis (CacheIn)
	bus    *invalidate.Bus
}

// touchEvery is how often a session used from Redis has its last use written to PostgreSQL: often
// enough that it does not expire there while in use, rarely enough that reading a session stays a
// Redis read.
const touchEvery = time.Hour

// NewStore returns a store whose tokens are signed with a key derived from secret, and whose
// sessions last ttl from their last use.
func NewStore(db *sqlx.DB, rdb redis.UniversalClient, prefix string, secret []byte, ttl time.Duration) *Store {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("timebank session token v1"))
	return &Store{db: db, rdb: rdb, prefix: prefix, key: m.Sum(nil), ttl: ttl}
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
	key, _, err := s.parseHash(token)
	return key, err
}

// parseHash checks the token's signature and returns the Redis key of its session and the hash
// that names it in PostgreSQL.
func (s *Store) parseHash(token string) (string, []byte, error) {
	r64, m64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 100 {
		return "", nil, ErrNoSession
	}
	random, err1 := base64.RawURLEncoding.DecodeString(r64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	// The decoder skips newlines: comparing the re-encoded parts keeps one token to one spelling.
	if err1 != nil || err2 != nil || len(random) != randomLen || base64.RawURLEncoding.EncodeToString(random) != r64 ||
		base64.RawURLEncoding.EncodeToString(mac) != m64 || !hmac.Equal(mac, s.sign(random)) {
		return "", nil, ErrNoSession
	}
	sum := sha256.Sum256(random)
	return s.prefix + "sess:" + hex.EncodeToString(sum[:]), sum[:], nil
}

func (s *Store) userKey(uid int64) string { return s.prefix + "usess:" + strconv.FormatInt(uid, 10) }

// Create starts a session for the user and returns its token, to be shown once. The session is
// kept once PostgreSQL has it; Redis is told as well, and a Redis that does not answer learns of it
// on the session's first use.
func (s *Store) Create(ctx context.Context, uid int64, app bool) (string, error) {
	random := make([]byte, randomLen)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(random) + "." + base64.RawURLEncoding.EncodeToString(s.sign(random))
	key, hash, _ := s.parseHash(token)
	now := time.Now()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions (key_hash, user_id, app, created_at, last_used_at)
VALUES ($1, $2, $3, $4, $4)`, hash, uid, app, now); err != nil {
		return "", err
	}
	_ = s.cache(ctx, key, Session{UserID: uid, App: app, Created: now})
	return token, nil
}

// cache writes the session to Redis, marked as touched in PostgreSQL now. The session's hash and the
// person's set of sessions are two keys that a Redis Cluster keeps in different slots (the hash is
// named by the token alone, so it cannot carry the person's hash tag): each is written in a
// transaction of its own, so that neither is ever left without its expiry.
func (s *Store) cache(ctx context.Context, key string, se Session) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "uid", se.UserID, "app", se.App, "created", se.Created.Unix(), "pg", time.Now().Unix())
		p.Expire(ctx, key, s.ttl)
		return nil
	})
	if err != nil {
		return err
	}
	// The person's set of sessions, for signing out everywhere. It outlives each session.
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, s.userKey(se.UserID), key)
		p.Expire(ctx, s.userKey(se.UserID), s.ttl+time.Hour)
		return nil
	})
	return err
}

// Get returns the token's session and extends its life: from Redis, or from PostgreSQL when Redis
// does not have it (restarted, flushed) or does not answer, writing it back to Redis then.
// Errors: ErrNoSession.
func (s *Store) Get(ctx context.Context, token string) (Session, error) {
	key, hash, err := s.parseHash(token)
	if err != nil {
		return Session{}, err
	}
	if se, ok := s.mem.Get(key); ok {
		return se, nil
	}
	gen := s.mem.Gen()
	var get *redis.MapStringStringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.HGetAll(ctx, key)
		p.Expire(ctx, key, s.ttl)
		return nil
	})
	if err == nil {
		m := get.Val()
		if uid, perr := strconv.ParseInt(m["uid"], 10, 64); perr == nil && uid > 0 {
			created, _ := strconv.ParseInt(m["created"], 10, 64)
			se := Session{UserID: uid, App: m["app"] == "1", Created: time.Unix(created, 0)}
			touched, _ := strconv.ParseInt(m["pg"], 10, 64)
			if time.Since(time.Unix(touched, 0)) > touchEvery {
				s.touch(ctx, key, hash)
			}
			s.mem.Keep(gen, key, se)
			return se, nil
		}
	}
	return s.fromPostgres(ctx, key, hash)
}

// fromPostgres reads a session Redis does not have, extends it there, and caches it in Redis again.
func (s *Store) fromPostgres(ctx context.Context, key string, hash []byte) (Session, error) {
	var row struct {
		UserID  int64     `db:"user_id"`
		App     bool      `db:"app"`
		Created time.Time `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &row, `UPDATE sessions SET last_used_at = now()
WHERE key_hash = $1 AND ended_at IS NULL AND last_used_at > now() - $2 * interval '1 second'
RETURNING user_id, app, created_at`, hash, int64(s.ttl.Seconds()))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	} else if err != nil {
		return Session{}, err
	}
	se := Session{UserID: row.UserID, App: row.App, Created: row.Created}
	if s.cache(ctx, key, se) != nil {
		return se, nil
	}
	// Signing out ends the session in PostgreSQL, then deletes it from Redis: if that ran since the
	// read above, its delete may have come before this write, which would let the session in again.
	var open bool
	if err := s.db.GetContext(ctx, &open, `SELECT ended_at IS NULL FROM sessions WHERE key_hash = $1`, hash); err != nil || !open {
		_ = s.rdb.Del(ctx, key).Err()
		if err == nil || errors.Is(err, sql.ErrNoRows) {
			err = ErrNoSession
		}
		return Session{}, err
	}
	return se, nil
}

// touch writes the session's last use to PostgreSQL, so that it does not expire there while Redis
// serves it.
func (s *Store) touch(ctx context.Context, key string, hash []byte) {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_used_at = now() WHERE key_hash = $1 AND ended_at IS NULL`,
		hash); err == nil {
		_ = s.rdb.HSet(ctx, key, "pg", time.Now().Unix()).Err()
	}
}

// Delete ends one session, in PostgreSQL and then in Redis. Ending a session that does not exist
// is not an error; a Redis that does not answer is, since it could still let the session in.
func (s *Store) Delete(ctx context.Context, token string) error {
	key, hash, err := s.parseHash(token)
	if err != nil {
		return nil
	}
	var uid int64
	err = s.db.GetContext(ctx, &uid, `UPDATE sessions SET ended_at = now() WHERE key_hash = $1 AND ended_at IS NULL
RETURNING user_id`, hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Two keys in two slots of a cluster: one pipeline (split by node), no transaction.
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		if uid != 0 {
			p.SRem(ctx, s.userKey(uid), key)
		}
		return nil
	})
	s.ended(ctx, sessionTopic(key))
	return err
}

// DeleteAll ends every session of the user (signing out everywhere, or after a password change).
func (s *Store) DeleteAll(ctx context.Context, uid int64) error {
	var hashes [][]byte
	if err := s.db.SelectContext(ctx, &hashes, `UPDATE sessions SET ended_at = now()
WHERE user_id = $1 AND ended_at IS NULL RETURNING key_hash`, uid); err != nil {
		return err
	}
	defer s.ended(ctx, personTopic(uid))
	keys, err := s.rdb.SMembers(ctx, s.userKey(uid)).Result()
	if err != nil {
		return err
	}
	for _, h := range hashes {
		keys = append(keys, s.prefix+"sess:"+hex.EncodeToString(h))
	}
	// One key at a time: in a Redis Cluster the sessions live in different slots.
	for _, k := range keys {
		if err := s.rdb.Del(ctx, k).Err(); err != nil {
			return err
		}
	}
	return s.rdb.Del(ctx, s.userKey(uid)).Err()
}

// Prune deletes sessions that ended or went unused for longer than ttl, up to limit, and returns
// how many it deleted.
func (s *Store) Prune(ctx context.Context, limit int) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE key_hash IN (
    SELECT key_hash FROM sessions WHERE ended_at IS NOT NULL OR last_used_at < now() - $1 * interval '1 second' LIMIT $2)`,
		int64(s.ttl.Seconds()), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
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
