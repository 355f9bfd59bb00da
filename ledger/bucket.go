package ledger

import (
	"context"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// One-row accounts (every volunteer's) share Redis hashes, buckets, one field an account holding
// "posted:pending:version": a key of its own cost an account about 104 bytes (its dictionary
// entry and key name outweighed its four fields), a field in a bucket about 20. An account whose
// code ends in a number N (vol:N) lies in bucket <prefix>bk:<head>:<N/128> under field N%128, so a
// bucket holds at most 128 fields: it stays a listpack (Redis's hash-max-listpack-entries is 512 by
// default, hash-max-listpack-value 64, and a field's value is at most 61 bytes) and a lookup scans
// at most 128 entries. Any other code lies in one of 1,024 buckets <prefix>bk:#<crc32 % 1024> under
// the code itself (such one-row accounts are few; a bucket that outgrows a listpack still works). Split accounts keep their hash <prefix>bal:<code> (see projection.go). Every script
// touches one key, a bucket or a hash, so no key needs a hash tag on a Redis Cluster and buckets
// spread over its slots.
const (
	bucketSize    = 128
	hashedBuckets = 1024
)

// bucketOf returns the bucket (after <prefix>bk:) and the field of a one-row account's code.
func bucketOf(code string) (bucket, field string) {
	if i := strings.LastIndexByte(code, ':'); i > 0 {
		if n, ok := canonicalNumber(code[i+1:]); ok {
			return code[:i] + ":" + strconv.FormatUint(n/bucketSize, 10), strconv.FormatUint(n%bucketSize, 10)
		}
	}
	return "#" + strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(code))%hashedBuckets), 10), code
}

// canonicalNumber reads s as a number written without leading zeros (so that vol:7 and vol:07,
// two codes, never share a field).
func canonicalNumber(s string) (uint64, bool) {
	if s == "" || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

func (p *projector) bucket(code string) (key, field string) {
	b, f := bucketOf(code)
	return p.prefix + "bk:" + b, f
}

// RedisKeys returns where the projection keeps an account's balance: a one-row account in field of
// bucket, a split account in hash. For tools and tests that look at Redis directly.
func RedisKeys(prefix, code string) (bucket, field, hash string) {
	b, f := bucketOf(code)
	return prefix + "bk:" + b, f, prefix + "bal:" + code
}

// bucketScript writes a one-row account's field if its version is newer than the field's, and
// returns what the field then holds (posted, pending, version, 1). It publishes a change (see
// publishLua). ARGV: field, channel, code, posted, pending, version.
var bucketScript = redis.NewScript(publishLua + `
local key, f, v = KEYS[1], ARGV[1], tonumber(ARGV[6])
local cur = redis.call('HGET', key, f)
if cur then
  local p, h, cv = string.match(cur, '^(-?%d+):(-?%d+):(%d+)$')
  if cv and tonumber(cv) >= v then
    return {tonumber(p), tonumber(h), tonumber(cv), 1}
  end
end
redis.call('HSET', key, f, ARGV[4] .. ':' .. ARGV[5] .. ':' .. ARGV[6])
local p, h = tonumber(ARGV[4]), tonumber(ARGV[5])
publish(p, h, v)
return {p, h, v, 1}
`)

// bucketReplaceScript sets a one-row account's field whatever it held (reconcile) and publishes it.
// ARGV as bucketScript's.
var bucketReplaceScript = redis.NewScript(publishLua + `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4] .. ':' .. ARGV[5] .. ':' .. ARGV[6])
publish(tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
return 1
`)

// bucketArgs are a one-row account's script arguments.
func (p *projector) bucketArgs(code string, posted, pending, version int64) (keys []string, args []any) {
	key, field := p.bucket(code)
	return []string{key}, []any{field, p.channel(code), code, posted, pending, version}
}

// parseBucket reads a bucket field's "posted:pending:version".
func parseBucket(s string) (r [3]int64, ok bool) {
	for i := range 3 {
		part := s
		if i < 2 {
			j := strings.IndexByte(s, ':')
			if j < 0 {
				return r, false
			}
			part, s = s[:j], s[j+1:]
		}
		v, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return r, false
		}
		r[i] = v
	}
	return r, true
}

// loadScripts loads the scripts (by default the two that project changes, after Redis said it lacks
// one: NOSCRIPT).
func loadScripts(ctx context.Context, rdb redis.UniversalClient, scripts ...*redis.Script) error {
	if len(scripts) == 0 {
		scripts = []*redis.Script{projectScript, bucketScript}
	}
	for _, s := range scripts {
		if err := s.Load(ctx, rdb).Err(); err != nil {
			return err
		}
	}
	return nil
}

// splitCodes remembers codes of split accounts (an account's number of rows never changes), so that
// a read of one asks for its hash at once instead of first for a bucket field it has not. It is
// bounded: a code it cannot remember is found in two steps (read_group.go).
type splitCodes struct {
	m sync.Map
	n atomic.Int64
}

const maxSplitCodes = 1 << 16

func (s *splitCodes) add(code string) {
	if s.n.Load() >= maxSplitCodes {
		return
	}
	if _, had := s.m.LoadOrStore(code, struct{}{}); !had {
		s.n.Add(1)
	}
}

func (s *splitCodes) has(code string) bool {
	_, ok := s.m.Load(code)
	return ok
}
