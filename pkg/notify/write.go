package notify

import (
	"context"
	"encoding/json"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Write adds the notices to the outbox through q, the transaction of the change they tell of, so
// that they are kept exactly when the change is. A notice whose person already has its event is
// left out.
// Errors: ErrInvalid.
func (s *Service) Write(ctx context.Context, q sqlx.ExecerContext, ns ...Notice) error {
	if len(ns) == 0 {
		return nil
	}
	users, kinds, params, events := make([]int64, len(ns)), make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns))
	for i, n := range ns {
		if err := n.validate(); err != nil {
			return err
		}
		p := n.Params
		if p == nil {
			p = map[string]any{}
		}
		b, err := json.Marshal(p)
		if err != nil {
			return ErrInvalid
		}
		users[i], kinds[i], params[i], events[i] = n.UserID, n.Kind, string(b), n.Event
	}
	_, err := q.ExecContext(ctx, `
INSERT INTO notification_outbox (user_id, kind, params, event, pending)
SELECT u, k, p::jsonb, e, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS n (u, k, p, e)
ON CONFLICT (user_id, event) DO NOTHING`,
		pq.Int64Array(users), pq.StringArray(kinds), pq.StringArray(params), pq.StringArray(events), pq.StringArray(s.pending))
	return err
}
