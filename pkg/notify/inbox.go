package notify

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// MaxLimit is the most notices a page of the inbox holds.
const MaxLimit = 100

// List returns a page of the person's inbox, newest first, from before the notice id before (0:
// the newest), and the id to pass for the next page (0 when there is none).
func (s *Service) List(ctx context.Context, userID, before int64, limit int) ([]Notification, int64, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	var ns []Notification
	err := s.db.SelectContext(ctx, &ns, `
SELECT id, user_id, kind, params, created_at, read_at FROM notifications
WHERE user_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, userID, before, limit+1)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(ns) > limit {
		ns, next = ns[:limit], ns[limit-1].ID
	}
	return ns, next, nil
}

// MarkRead marks the person's notices ids read (all of their unread ones when ids is empty) and
// returns how many it marked. Ids that are not the person's are left alone, as if they did not
// exist: the answer says nothing of anyone else's inbox. Marking a read notice again changes
// nothing.
func (s *Service) MarkRead(ctx context.Context, userID int64, ids []int64) (int, error) {
	if ids == nil {
		ids = []int64{} // an empty array, not NULL: all of them
	}
	res, err := s.db.ExecContext(ctx, `UPDATE notifications SET read_at = $3
WHERE user_id = $1 AND read_at IS NULL AND (cardinality($2::bigint[]) = 0 OR id = ANY ($2::bigint[]))`,
		userID, pq.Int64Array(ids), time.Now())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err == nil && n > 0 {
		s.inboxChanged(ctx, userID)
	}
	return int(n), err
}
