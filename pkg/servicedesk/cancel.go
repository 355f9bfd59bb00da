package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/notify"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Cancellation says who calls a request off and why: the request's access key (the resident), or
// a signed-in person who may act for its residents (By, found by ConfirmerOf: a grid worker of its
// community, a coordinator of its team). A person who also holds the key cancels as themselves.
type Cancellation struct {
	Access string
	By     *principal.Principal
	Reason string
}

// cancellable are the steps a request may be called off at: waiting for the team, or taken (given
// to a volunteer, or accepted) but not begun at the door. A visit begun is finished and confirmed,
// or not confirmed; it is never erased.
var cancellable = []string{StatusSubmitted, StatusAssigned, StatusAccepted}

// residentCancels names the resident as who cancelled, when they did it with their key.
const residentCancels = principal.ResidentLabel

// Cancel calls off a request that waits or is taken: it leaves every list of work, its door code
// stops starting it, and the volunteer who had taken it is told (with Options.Notify). The reason
// is optional. Cancelling again changes nothing and returns the request as it is.
// Errors: ErrInvalid (reason, access), ErrRequestNotFound (also a wrong access key), ErrWrongStep
// (begun, finished or confirmed).
func (s *Service) Cancel(ctx context.Context, id int64, c Cancellation) (Request, error) {
	reason, r := (fields.Text{Max: 300, Multiline: true}).Clean(c.Reason)
	if r != "" {
		return Request{}, fieldErr("reason", r)
	}
	who := ""
	switch {
	case c.By != nil:
		who = c.By.Label()
	case c.Access == "":
		return Request{}, fieldErr("access", "required")
	default:
		who = residentCancels
	}
	if c.Access != "" {
		if got, ok := s.accessID(c.Access); !ok || got != id {
			return Request{}, ErrRequestNotFound
		}
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var row struct {
			OrgID     int64     `db:"org_id"`
			Status    string    `db:"status"`
			Volunteer *int64    `db:"volunteer_id"`
			Category  string    `db:"category"`
			WantedAt  time.Time `db:"wanted_at"`
			Community string    `db:"community"`
		}
		err := tx.GetContext(ctx, &row, `SELECT q.org_id, q.status, q.volunteer_id, q.category, q.wanted_at,
    g.name AS community
FROM service_requests q JOIN regions g ON g.code = q.region_code WHERE q.id = $1 FOR UPDATE OF q`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRequestNotFound
		} else if err != nil {
			return err
		}
		if row.Status == StatusCancelled {
			return nil
		}
		if !slices.Contains(cancellable, row.Status) {
			return ErrWrongStep
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_requests SET status = 'cancelled', volunteer_id = NULL,
    assigned_by = NULL, assigned_at = NULL, accepted_at = NULL, cancelled_at = $2, cancelled_by = $3,
    cancel_reason = $4 WHERE id = $1`, id, s.now(), who, reason); err != nil {
			return err
		}
		err = audit.Record(ctx, tx, audit.Entry{Actor: who, Action: "service_request.cancel",
			Target: "service_request:" + itoa(id), OrgID: row.OrgID,
			Before: map[string]any{"status": row.Status, "volunteer_id": row.Volunteer},
			After:  map[string]any{"status": StatusCancelled, "reason": reason}})
		if err != nil || row.Volunteer == nil || s.notify == nil {
			return err
		}
		return s.notify.Write(ctx, tx, notify.Notice{UserID: *row.Volunteer, Kind: notify.ServiceCancelled,
			Event: "service-cancelled:" + itoa(id),
			Params: map[string]any{"category": row.Category, "community": row.Community,
				"starts_at": row.WantedAt, "reason": reason}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, id, Viewer{Resident: true})
}
