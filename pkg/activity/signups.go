package activity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"timebank/ledger"
	"timebank/pgerr"
)

// Signup is a volunteer's place at an activity.
type Signup struct {
	ID          int64      `db:"id" json:"id"`
	ActivityID  int64      `db:"activity_id" json:"activity_id"`
	UserID      int64      `db:"user_id" json:"user_id"`
	Status      string     `db:"status" json:"status"` // active or cancelled
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	CancelledAt *time.Time `db:"cancelled_at" json:"cancelled_at,omitempty"`
}

const signupColumns = `id, activity_id, user_id, status, created_at, cancelled_at`

// SignUp takes a place at the activity for the volunteer. Signing up again returns the same place
// (created false). The activity's row is locked while the place is counted, so concurrent sign-ups
// never exceed the capacity (the database's CHECK on the count is the last guard).
// Errors: ErrActivityNotFound, ErrSignupClosed (the activity has begun), ErrActivityFull.
func (s *Service) SignUp(ctx context.Context, activityID, userID int64) (su Signup, created bool, err error) {
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		a, err := s.getActivity(ctx, tx, activityID, true)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &su, `SELECT `+signupColumns+` FROM signups
WHERE activity_id = $1 AND user_id = $2 AND status = 'active'`, activityID, userID)
		if err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case a.Status != "open" || !s.now().Before(a.StartsAt):
			return ErrSignupClosed
		case a.Capacity != nil && a.Signups >= *a.Capacity:
			return ErrActivityFull
		}
		if err := tx.GetContext(ctx, &su, `INSERT INTO signups (activity_id, user_id) VALUES ($1, $2)
RETURNING `+signupColumns, activityID, userID); err != nil {
			return err
		}
		created = true
		_, err = tx.ExecContext(ctx, `UPDATE activities SET signups = signups + 1 WHERE id = $1`, activityID)
		if pgerr.Violates(err, "", "activities_signups") {
			return ErrActivityFull
		}
		return err
	})
	return su, created, err
}

// CancelSignup gives the volunteer's place back.
// Errors: ErrActivityNotFound, ErrNotSignedUp, ErrSignupClosed (the activity has begun).
func (s *Service) CancelSignup(ctx context.Context, activityID, userID int64) (Signup, error) {
	var su Signup
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		a, err := s.getActivity(ctx, tx, activityID, true)
		if err != nil {
			return err
		}
		if !s.now().Before(a.StartsAt) {
			return ErrSignupClosed
		}
		err = tx.GetContext(ctx, &su, `UPDATE signups SET status = 'cancelled', cancelled_at = now()
WHERE activity_id = $1 AND user_id = $2 AND status = 'active' RETURNING `+signupColumns, activityID, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotSignedUp
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE activities SET signups = signups - 1 WHERE id = $1`, activityID)
		return err
	})
	return su, err
}

// MySignups returns the volunteer's active sign-ups for activities that have not ended, soonest first.
func (s *Service) MySignups(ctx context.Context, userID int64) ([]Activity, error) {
	out := []Activity{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+activityColumns+`, NULL::int AS distance_m
FROM signups su JOIN activities a ON a.id = su.activity_id JOIN organizations o ON o.id = a.org_id
WHERE su.user_id = $1 AND su.status = 'active' AND a.ends_at > $2
ORDER BY a.starts_at, a.id LIMIT $3`, userID, s.now(), MaxPage)
	return out, err
}
