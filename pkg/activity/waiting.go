package activity

import (
	"context"
	"database/sql"

	"github.com/lib/pq"
)

// Waiting is what waits for an organization's coordinators: attendances to verify, how many of
// them belong to activities whose 10-working-day deadline is near (DueSoon) or past (Overdue), and
// the disputes of its records still open.
type Waiting struct {
	OrgID    int64 `json:"org_id"`
	ToVerify int   `json:"to_verify"`
	DueSoon  int   `json:"due_soon"`
	Overdue  int   `json:"overdue"`
	Disputes int   `json:"disputes"`
}

// Any reports whether anything waits.
func (w Waiting) Any() bool { return w.ToVerify+w.Disputes > 0 }

// WaitingFor counts what waits for each of the organizations, in one query: an organization with
// nothing waiting is there with zero counts, in the order given.
func (s *Service) WaitingFor(ctx context.Context, orgIDs []int64) ([]Waiting, error) {
	return WaitingCounts(ctx, s.cal, orgIDs, func(id int64) Waiting { return Waiting{OrgID: id} },
		func(cal *WorkCalendar, of func(orgID int64) *Waiting) error {
			// One row per activity with attendances to decide (its end sets the deadline), and one
			// per organization with open disputes.
			rows, err := s.db.QueryContext(ctx, `
SELECT a.org_id, a.ends_at, count(*) AS pending, 0 AS disputes
FROM attendances t JOIN activities a ON a.id = t.activity_id
WHERE t.status = 'closed' AND a.org_id = ANY($1)
GROUP BY a.org_id, a.id
UNION ALL
SELECT r.org_id, NULL, 0, count(*)
FROM record_disputes d JOIN service_records r ON r.id = d.record_id
WHERE d.status = 'open' AND r.org_id = ANY($1)
GROUP BY r.org_id`, pq.Int64Array(orgIDs))
			if err != nil {
				return err
			}
			defer rows.Close()
			now := s.now()
			for rows.Next() {
				var org int64
				var ends sql.NullTime
				var pending, disputes int
				if err := rows.Scan(&org, &ends, &pending, &disputes); err != nil {
					return err
				}
				w := of(org)
				w.Disputes += disputes
				if !ends.Valid {
					continue
				}
				w.ToVerify += pending
				deadline, _ := cal.Deadline(ends.Time, RecordDueWorkingDays)
				switch cal.DueStatus(deadline, now) {
				case DueSoon:
					w.DueSoon += pending
				case DueOverdue:
					w.Overdue += pending
				}
			}
			return rows.Err()
		})
}

// WaitingCounts is the frame of every area's WaitingFor: one T per organization, made by blank, in
// the order given (an organization with nothing waiting keeps its zero counts), and, when there is
// any organization, count called once with the working-day calendar and the T of an organization
// to add a row's counts to.
// Errors: count's, and the calendar's.
func WaitingCounts[T any](ctx context.Context, c *Calendar, orgIDs []int64, blank func(orgID int64) T,
	count func(cal *WorkCalendar, of func(orgID int64) *T) error) ([]T, error) {
	out := make([]T, len(orgIDs))
	at := make(map[int64]int, len(orgIDs))
	for i, id := range orgIDs {
		out[i], at[id] = blank(id), i
	}
	if len(orgIDs) == 0 {
		return out, nil
	}
	cal, err := c.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := count(cal, func(orgID int64) *T { return &out[at[orgID]] }); err != nil {
		return nil, err
	}
	return out, nil
}
