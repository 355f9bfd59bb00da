package session

import (
	"context"
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
)

// deviceSidLen is the bytes of randomness in a device session id.
const deviceSidLen = 32

// DeviceTTL is how long a kiosk's or counter's session lasts after its last request: a device in
// daily use stays signed in.
const DeviceTTL = 30 * 24 * time.Hour

// DeviceSessions keep the sessions of kiosks and counters signed in at /device, as Store keeps
// people's: in PostgreSQL, read through Redis. A session id names the device; both stores keep only
// its hash.
type DeviceSessions struct {
	db     *sqlx.DB
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewDeviceSessions returns the store; sessions last ttl from their last use.
func NewDeviceSessions(db *sqlx.DB, rdb redis.UniversalClient, prefix string, ttl time.Duration) *DeviceSessions {
	return &DeviceSessions{db: db, rdb: rdb, prefix: prefix, ttl: ttl}
}

// DeviceSessionKey is the Redis key of a device session id (its hash), and whether the id is well
// formed.
func DeviceSessionKey(prefix, sid string) (string, bool) {
	_, key, ok := deviceHash(prefix, sid)
	return key, ok
}

func deviceHash(prefix, sid string) ([]byte, string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(sid)
	if err != nil || len(raw) != deviceSidLen || base64.RawURLEncoding.EncodeToString(raw) != sid {
		return nil, "", false
	}
	sum := sha256.Sum256(raw)
	return sum[:], prefix + "dsess:" + hex.EncodeToString(sum[:]), true
}

// Start records a new session of the device and returns its id.
func (d *DeviceSessions) Start(ctx context.Context, deviceID int64) (string, error) {
	raw := make([]byte, deviceSidLen)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	sid := base64.RawURLEncoding.EncodeToString(raw)
	hash, key, _ := deviceHash(d.prefix, sid)
	if _, err := d.db.ExecContext(ctx, `INSERT INTO device_sessions (key_hash, device_id) VALUES ($1, $2)`, hash, deviceID); err != nil {
		return "", err
	}
	d.cache(ctx, key, deviceID)
	return sid, nil
}

// cache writes the session to Redis as "<device id> <when PostgreSQL was last told of its use>".
func (d *DeviceSessions) cache(ctx context.Context, key string, deviceID int64) {
	v := strconv.FormatInt(deviceID, 10) + " " + strconv.FormatInt(time.Now().Unix(), 10)
	_ = d.rdb.Set(ctx, key, v, d.ttl).Err()
}

// End ends a session in PostgreSQL and then in Redis; an unknown or malformed id is no error, a
// Redis that does not answer is.
func (d *DeviceSessions) End(ctx context.Context, sid string) error {
	hash, key, ok := deviceHash(d.prefix, sid)
	if !ok {
		return nil
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE device_sessions SET ended_at = now() WHERE key_hash = $1 AND ended_at IS NULL`,
		hash); err != nil {
		return err
	}
	return d.rdb.Del(ctx, key).Err()
}

// Device returns the device a session names and extends the session's life; 0 when there is no
// such session. Redis answers; PostgreSQL when Redis does not have the session or does not answer.
func (d *DeviceSessions) Device(ctx context.Context, sid string) (int64, error) {
	hash, key, ok := deviceHash(d.prefix, sid)
	if !ok {
		return 0, nil
	}
	v, err := d.rdb.GetEx(ctx, key, d.ttl).Result()
	if err == nil {
		idText, touchedText, _ := strings.Cut(v, " ")
		id, perr := strconv.ParseInt(idText, 10, 64)
		touched, _ := strconv.ParseInt(touchedText, 10, 64)
		if perr == nil && id > 0 {
			if time.Since(time.Unix(touched, 0)) > touchEvery {
				if _, err := d.db.ExecContext(ctx, `UPDATE device_sessions SET last_used_at = now()
WHERE key_hash = $1 AND ended_at IS NULL`, hash); err == nil {
					d.cache(ctx, key, id)
				}
			}
			return id, nil
		}
	}
	var id int64
	err = d.db.GetContext(ctx, &id, `UPDATE device_sessions SET last_used_at = now()
WHERE key_hash = $1 AND ended_at IS NULL AND last_used_at > now() - $2 * interval '1 second'
RETURNING device_id`, hash, int64(d.ttl.Seconds()))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	d.cache(ctx, key, id)
	// As for people's sessions: an End that ran since the read above may have deleted the key
	// before this write put it back.
	var open bool
	if err := d.db.GetContext(ctx, &open, `SELECT ended_at IS NULL FROM device_sessions WHERE key_hash = $1`, hash); err != nil || !open {
		_ = d.rdb.Del(ctx, key).Err()
		if err == nil || errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return 0, err
	}
	return id, nil
}

// Prune deletes device sessions that ended or went unused for longer than ttl, up to limit.
func (d *DeviceSessions) Prune(ctx context.Context, limit int) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM device_sessions WHERE key_hash IN (
    SELECT key_hash FROM device_sessions WHERE ended_at IS NOT NULL OR last_used_at < now() - $1 * interval '1 second' LIMIT $2)`,
		int64(d.ttl.Seconds()), limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
