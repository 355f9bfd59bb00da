package notify

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/txn"
)

// Channel delivers notices outside the service: an SMS gateway, WeChat subscription messages.
type Channel interface {
	// Name names the channel in the outbox ("sms"); it must not change once notices wait for it.
	Name() string
	// Send delivers the notices and returns the ids of those it delivered; the rest are offered
	// again on the next round. A gateway that takes an id for deduplication should be given the
	// notice's id: a crash between sending and recording sends again.
	Send(ctx context.Context, ns []Notification) (sent []int64, err error)
}

// Deliver moves up to batch notices into the inbox, publishing each to its person's open pages,
// then offers up to batch notices to each external channel. It returns how many deliveries it made.
// Every delivery is recorded in the transaction that makes it, so a notice reaches the inbox once,
// whatever crashes or however many workers run.
func (s *Service) Deliver(ctx context.Context, batch int) (int, error) {
	n, err := s.deliverInbox(ctx, batch)
	if err != nil {
		return n, err
	}
	for _, c := range s.channels {
		m, err := s.deliverChannel(ctx, c, batch)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// deliverInbox copies the notices waiting for the inbox into it and takes the inbox off their
// pending channels, in one transaction; after the commit it publishes them.
func (s *Service) deliverInbox(ctx context.Context, batch int) (int, error) {
	var out []struct {
		ID     int64  `db:"id"`
		UserID int64  `db:"user_id"`
		Kind   string `db:"kind"`
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `
WITH due AS (
    SELECT id FROM notification_outbox
    WHERE cardinality(pending) > 0 AND $1 = ANY (pending)
    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
), done AS (
    UPDATE notification_outbox o SET pending = array_remove(o.pending, $1)
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.user_id, o.kind, o.params, o.created_at
), ins AS (
    INSERT INTO notifications (id, user_id, kind, params, created_at)
    SELECT id, user_id, kind, params, created_at FROM done
    ON CONFLICT (id) DO NOTHING
)
SELECT id, user_id, kind FROM done ORDER BY id`, Inbox, batch)
	})
	if err != nil {
		return 0, err
	}
	people := make([]int64, 0, len(out))
	for _, n := range out {
		people = append(people, n.UserID)
	}
	s.inboxChanged(ctx, people...)
	for _, n := range out {
		s.publish(ctx, n.UserID, n.ID, n.Kind)
	}
	return len(out), nil
}

// publish tells the person's open pages of a new notice. A page that misses it (Redis down, not
// open) finds the notice in the inbox when it next loads: the push is a courtesy, not the record.
func (s *Service) publish(ctx context.Context, userID, id int64, kind string) {
	if s.rdb == nil {
		return
	}
	b, _ := json.Marshal(Live{ID: id, Kind: kind})
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	_ = s.rdb.Publish(ctx, s.LiveChannel(userID), b).Err()
}

// deliverChannel offers the notices waiting for c to it and records those it sent.
func (s *Service) deliverChannel(ctx context.Context, c Channel, batch int) (int, error) {
	var ns []Notification
	err := s.db.SelectContext(ctx, &ns, `
SELECT id, user_id, kind, params, created_at FROM notification_outbox
WHERE cardinality(pending) > 0 AND $1 = ANY (pending) ORDER BY id LIMIT $2`, c.Name(), batch)
	if err != nil || len(ns) == 0 {
		return 0, err
	}
	sent, err := c.Send(ctx, ns)
	if len(sent) > 0 {
		if _, uerr := s.db.ExecContext(ctx, `UPDATE notification_outbox SET pending = array_remove(pending, $1)
WHERE id = ANY ($2::bigint[])`, c.Name(), pq.Int64Array(sent)); uerr != nil {
			return 0, uerr
		}
	}
	return len(sent), err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
