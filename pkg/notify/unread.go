package notify

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The unread count is shown on every page a signed-in person opens, so it is answered from Redis:
// one hash per person holds a version, bumped after every change of their inbox commits (a
// delivery, marking read), and the count last taken from PostgreSQL with the version it was taken
// at. A count is served only while its version is the current one; a reader that finds none counts
// in PostgreSQL and stores the count under the version it read before counting, so a change that
// commits meanwhile makes that count stale at once. The hash lives unreadTTL after its last
// write, which bounds a stale count when Redis missed a bump (it was down at that moment).
const unreadTTL = 5 * time.Minute

func (s *Service) unreadKey(userID int64) string {
	return s.prefix + "unread:" + strconv.FormatInt(userID, 10)
}

// Unread counts the person's unread notices, for the badge in the page header: from Redis when it
// holds the current count, else from PostgreSQL (and then kept in Redis).
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	var version string
	if s.rdb != nil {
		vals, err := s.rdb.HMGet(ctx, s.unreadKey(userID), "v", "n", "nv").Result()
		if err == nil {
			version = str(vals[0])
			if n, err := strconv.Atoi(str(vals[1])); err == nil && str(vals[2]) == version {
				return n, nil
			}
		}
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID); err != nil {
		return 0, err
	}
	if s.rdb != nil {
		key := s.unreadKey(userID)
		_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "n", n, "nv", version)
			p.Expire(ctx, key, unreadTTL)
			return nil
		})
	}
	return n, nil
}

// inboxChanged makes every kept count of the people's unread notices stale; call it after the
// change commits.
func (s *Service) inboxChanged(ctx context.Context, userIDs ...int64) {
	if s.rdb == nil || len(userIDs) == 0 {
		return
	}
	_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range userIDs {
			p.HIncrBy(ctx, s.unreadKey(id), "v", 1)
			p.Expire(ctx, s.unreadKey(id), unreadTTL)
		}
		return nil
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
