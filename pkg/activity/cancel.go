package activity

import (
	"context"
	"fmt"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/notify"
	"timebank/pkg/principal"
)

// Activity statuses.
const (
	StatusActivityOpen      = "open"
	StatusActivityCancelled = "cancelled"
)

// CancelActivity cancels the activity, with a reason, at any time before it ends. Attendances
// already made are never deleted: those still open are closed now, as a forgotten check-out would
// be, and can be verified as any other. The volunteers signed up or checked in are told.
// Cancelling again returns the activity as it was cancelled.
// Errors: ErrActivityNotFound, ErrActivityOver, ErrInvalid (*fields.Error: reason).
func (s *Service) CancelActivity(ctx context.Context, by *principal.Principal, id int64, reason string) (Activity, error) {
	if r := cleanText(&reason, 500, true, true); r != "" {
		return Activity{}, fields.New(ErrInvalid, "reason", r)
	}
	var out Activity
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		a, err := s.getActivity(ctx, tx, id, true)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case a.Status == StatusActivityCancelled:
			out = a
			return nil
		case !now.Before(a.EndsAt):
			return ErrActivityOver
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET status = 'cancelled', cancelled_at = $2,
    cancelled_by = $3, cancel_reason = $4, revision = revision + 1 WHERE id = $1`, id, now, by.Label(), reason); err != nil {
			return err
		}
		closed, err := tx.ExecContext(ctx, `UPDATE attendances SET status = 'closed',
    check_out_at = greatest($2, check_in_at), check_out_by = 'system', auto_closed = true
WHERE activity_id = $1 AND status = 'open'`, id, now)
		if err != nil {
			return err
		}
		n, _ := closed.RowsAffected()
		if out, err = s.getActivity(ctx, tx, id, false); err != nil {
			return err
		}
		err = s.tellSignedUp(ctx, tx, out, notify.ActivityCancelled, fmt.Sprintf("activity:%d:cancelled", id),
			map[string]any{"activity": out.Title, "starts_at": out.StartsAt, "reason": reason})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "activity.cancel",
			Target: "activity:" + itoa(id), OrgID: a.OrgID,
			After: map[string]any{"reason": reason, "attendances_closed": n}})
	})
	return out, err
}
