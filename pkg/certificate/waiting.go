package certificate

import (
	"context"
	"time"

	"github.com/lib/pq"

	"timebank/pkg/activity"
)

// Waiting is what an organization has still to do about certificate requests: requests to accept
// or refuse (ToAnswer, of them DueSoon near and Overdue past their 10-working-day deadline) and
// accepted requests whose certificate is not issued yet (ToIssue).
type Waiting struct {
	OrgID    int64 `json:"org_id"`
	ToAnswer int   `json:"to_answer"`
	DueSoon  int   `json:"due_soon"`
	Overdue  int   `json:"overdue"`
	ToIssue  int   `json:"to_issue"`
}

// Any reports whether anything waits.
func (w Waiting) Any() bool { return w.ToAnswer+w.ToIssue > 0 }

// WaitingFor counts the open requests of each of the organizations, in one query: an organization
// with none is there with zero counts, in the order given.
// Errors: none of its own (database errors only).
func (s *Service) WaitingFor(ctx context.Context, orgIDs []int64) ([]Waiting, error) {
	return activity.WaitingCounts(ctx, s.cal, orgIDs, func(id int64) Waiting { return Waiting{OrgID: id} },
		func(cal *activity.WorkCalendar, of func(orgID int64) *Waiting) error {
			var rows []struct {
				OrgID  int64     `db:"org_id"`
				Status string    `db:"status"`
				DueAt  time.Time `db:"due_at"`
				N      int       `db:"n"`
			}
			if err := s.db.SelectContext(ctx, &rows, `SELECT org_id, status, due_at, count(*) AS n FROM certificate_requests
WHERE org_id = ANY($1) AND status IN ('requested', 'accepted') GROUP BY org_id, status, due_at`, pq.Int64Array(orgIDs)); err != nil {
				return err
			}
			now := s.now()
			for _, r := range rows {
				w := of(r.OrgID)
				if r.Status == RequestAccepted {
					w.ToIssue += r.N
					continue
				}
				w.ToAnswer += r.N
				switch cal.DueStatus(r.DueAt, now) {
				case activity.DueSoon:
					w.DueSoon += r.N
				case activity.DueOverdue:
					w.Overdue += r.N
				}
			}
			return nil
		})
}
