package servicedesk

import (
	"context"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/activity"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/txn"
)

// Waiting is a finished request the resident has not confirmed, in the coordinator's queue with the
// deadline records have: 10 working days after the service (activity.RecordDueWorkingDays).
type Waiting struct {
	Request
	Deadline          time.Time `json:"deadline"`
	DeadlineEstimated bool      `json:"deadline_estimated"`
	Due               string    `json:"due"` // ok, due_soon or overdue
}

// Waiting lists the organization's finished, unconfirmed requests, oldest first, with their deadlines.
func (s *Service) Waiting(ctx context.Context, orgID int64) ([]Waiting, error) {
	rows := []Request{}
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+requestFrom+`
WHERE q.org_id = $1 AND q.status = 'finished' ORDER BY q.finished_at, q.id LIMIT 500`, orgID); err != nil {
		return nil, err
	}
	cal, err := s.acts.Calendar().Get(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Waiting, len(rows))
	for i, r := range rows {
		if err := s.reveal(&r, Viewer{Coordinator: true}); err != nil {
			return nil, err
		}
		w := Waiting{Request: r}
		w.Deadline, w.DeadlineEstimated = cal.Deadline(*r.FinishedAt, activity.RecordDueWorkingDays)
		w.Due = cal.DueStatus(w.Deadline, s.now()).String()
		out[i] = w
	}
	return out, nil
}

// Unanswered lists the requests in the region (a street, say) that no one assigned or took within
// their desk's promise, oldest first, masked: the street's page reads it to step in.
// Errors: ErrInvalid (region_code).
func (s *Service) Unanswered(ctx context.Context, regionCode string, limit int) ([]Request, error) {
	l, err := org.DivisionLevel(regionCode)
	if err != nil || len(regionCode) != 12 {
		return nil, fieldErr("region_code", "format")
	}
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows := []Request{}
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+requestColumns+requestFrom+`
WHERE q.status = 'submitted' AND left(q.region_code, $1) = left($2, $1)
  AND q.created_at + make_interval(mins => d.promise_minutes) < $3
ORDER BY q.created_at, q.id LIMIT $4`, l.Digits(), regionCode, s.now(), limit); err != nil {
		return nil, err
	}
	for i := range rows {
		if err := s.reveal(&rows[i], Viewer{}); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// FlagUnanswered marks the requests that passed their desk's promise unanswered, at most limit of
// them, and returns how many it marked; serve runs it periodically. A flag stays as the record that
// the promise was broken, even once the request is answered. Each administrator of the request's
// street (a region admin of the street itself) is told, in the same transaction (with Options.Notify).
func (s *Service) FlagUnanswered(ctx context.Context, limit int) (int, error) {
	var flagged []struct {
		ID        int64     `db:"id"`
		OrgID     int64     `db:"org_id"`
		Street    string    `db:"street"`
		Desk      string    `db:"desk"`
		Community string    `db:"community"`
		AskedAt   time.Time `db:"created_at"`
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &flagged, `UPDATE service_requests q SET flagged_at = $1
FROM service_desks d, regions g WHERE d.id = q.desk_id AND g.code = q.region_code AND q.id IN (
    SELECT q2.id FROM service_requests q2 JOIN service_desks d2 ON d2.id = q2.desk_id
    WHERE q2.status = 'submitted' AND q2.flagged_at IS NULL
      AND q2.created_at + make_interval(mins => d2.promise_minutes) < $1
    ORDER BY q2.id LIMIT $2)
RETURNING q.id, q.org_id, left(q.region_code, 9) || '000' AS street, d.name AS desk, g.name AS community, q.created_at`,
			s.now(), limit)
		if err != nil || s.notify == nil {
			return err
		}
		for _, f := range flagged {
			var admins []int64
			if err := tx.SelectContext(ctx, &admins, `SELECT DISTINCT user_id FROM role_grants
WHERE role = 'region_admin' AND region_code = $1 AND revoked_at IS NULL`, f.Street); err != nil {
				return err
			}
			notices := make([]notify.Notice, len(admins))
			for i, uid := range admins {
				notices[i] = notify.Notice{UserID: uid, Kind: notify.ServiceUnanswered,
					Event:  "service-unanswered:" + strconv.FormatInt(f.ID, 10),
					Params: map[string]any{"desk": f.Desk, "community": f.Community, "org_id": f.OrgID, "asked_at": f.AskedAt}}
			}
			if err := s.notify.Write(ctx, tx, notices...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(flagged), nil
}
