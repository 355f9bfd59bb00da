package servicedesk

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Assign gives a submitted request to a volunteer of its team (by volunteer number), who then
// accepts it. Errors: ErrInvalid (volunteer_no), ErrRequestNotFound, ErrNotMember, ErrTaken.
func (s *Service) Assign(ctx context.Context, by *principal.Principal, id int64, volunteerNo string) (Request, error) {
	volunteerNo = strings.ToUpper(strings.TrimSpace(volunteerNo))
	if volunteerNo == "" {
		return Request{}, fieldErr("volunteer_no", "required")
	}
	return s.move(ctx, by, id, "service_request.assign", func(tx *sqlx.Tx, org int64) (sql.Result, error) {
		var volunteerID int64
		err := tx.GetContext(ctx, &volunteerID, `SELECT id FROM users WHERE volunteer_no = $1`, volunteerNo)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fieldErr("volunteer_no", "not_found")
		} else if err != nil {
			return nil, err
		}
		if err := isVolunteer(ctx, tx, org, volunteerID); err != nil {
			return nil, err
		}
		return tx.ExecContext(ctx, `UPDATE service_requests SET status = 'assigned', volunteer_id = $2, assigned_by = $3,
    assigned_at = $4 WHERE id = $1 AND status = 'submitted'`, id, volunteerID, by.Label(), s.now())
	}, ErrTaken)
}

// Take gives a submitted request to the volunteer who takes it, accepted at once. Of any number of
// volunteers taking it at the same time exactly one gets it: the update holds only while the
// request is still submitted, which the row's lock decides.
// Errors: ErrRequestNotFound, ErrNotMember, ErrTaken.
func (s *Service) Take(ctx context.Context, by *principal.Principal, id int64) (Request, error) {
	return s.move(ctx, by, id, "service_request.take", func(tx *sqlx.Tx, org int64) (sql.Result, error) {
		if err := isVolunteer(ctx, tx, org, by.UserID); err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `UPDATE service_requests SET status = 'accepted', volunteer_id = $2, assigned_by = $3,
    assigned_at = $4, accepted_at = $4 WHERE id = $1 AND status = 'submitted'`, id, by.UserID, by.Label(), s.now())
		if n, _ := rowsOf(res, err); n == 0 && err == nil {
			// Taking again what one already took is no error.
			var mine bool
			if err := tx.GetContext(ctx, &mine, `SELECT volunteer_id IS NOT DISTINCT FROM $2 FROM service_requests WHERE id = $1`,
				id, by.UserID); err != nil {
				return nil, err
			}
			if mine {
				return nil, errDone
			}
		}
		return res, err
	}, ErrTaken)
}

// Accept is the assigned volunteer saying they will come. Errors: ErrRequestNotFound, ErrNotYours,
// ErrWrongStep.
func (s *Service) Accept(ctx context.Context, by *principal.Principal, id int64) (Request, error) {
	return s.mine(ctx, by, id, "service_request.accept", StatusAssigned, StatusAccepted, `status = 'accepted', accepted_at = $3`, s.now())
}

// Finish is the volunteer saying the service is done, with a short note.
// Errors: ErrInvalid (note), ErrRequestNotFound, ErrNotYours, ErrWrongStep.
func (s *Service) Finish(ctx context.Context, by *principal.Principal, id int64, note string) (Request, error) {
	note, r := (fields.Text{Max: 500, Multiline: true}).Clean(note)
	if r != "" {
		return Request{}, fieldErr("note", r)
	}
	return s.mine(ctx, by, id, "service_request.finish", StatusStarted, StatusFinished,
		`status = 'finished', finished_at = greatest($3, started_at + interval '1 minute'), finish_note = $4`, s.now(), note)
}

// mine moves a request of the volunteer's from one step to the next; replaying the step returns
// the request as it is.
func (s *Service) mine(ctx context.Context, by *principal.Principal, id int64, action, from, to, set string, args ...any) (Request, error) {
	return s.move(ctx, by, id, action, func(tx *sqlx.Tx, _ int64) (sql.Result, error) {
		var row struct {
			Status    string `db:"status"`
			Volunteer *int64 `db:"volunteer_id"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT status, volunteer_id FROM service_requests WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
		if row.Volunteer == nil || *row.Volunteer != by.UserID {
			return nil, ErrNotYours
		}
		switch row.Status {
		case from:
		case to:
			return nil, errDone
		default:
			return nil, ErrWrongStep
		}
		return tx.ExecContext(ctx, `UPDATE service_requests SET `+set+` WHERE id = $1 AND volunteer_id = $2`,
			append([]any{id, by.UserID}, args...)...)
	}, ErrWrongStep)
}

// errDone says a step was already taken: the request is returned as it is.
var errDone = errors.New("servicedesk: step already taken")

// move runs one step in a transaction with its audit entry; an update of no row is refused with
// none (the request moved on meanwhile).
func (s *Service) move(ctx context.Context, by *principal.Principal, id int64, action string,
	step func(tx *sqlx.Tx, org int64) (sql.Result, error), none error) (Request, error) {
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var org int64
		err := tx.GetContext(ctx, &org, `SELECT org_id FROM service_requests WHERE id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRequestNotFound
		} else if err != nil {
			return err
		}
		res, err := step(tx, org)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return none
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: action,
			Target: "service_request:" + itoa(id), OrgID: org})
	})
	if err != nil && !errors.Is(err, errDone) {
		return Request{}, err
	}
	return s.Request(ctx, id, Viewer{UserID: by.UserID})
}

// isVolunteer checks that the person is a volunteer (or coordinator) of the team.
func isVolunteer(ctx context.Context, tx *sqlx.Tx, org, userID int64) error {
	var ok bool
	err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM role_grants WHERE user_id = $1 AND org_id = $2
    AND role IN ('volunteer', 'coordinator') AND revoked_at IS NULL)`, userID, org)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotMember
	}
	return nil
}

func rowsOf(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
