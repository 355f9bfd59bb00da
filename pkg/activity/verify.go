package activity

import (
	"context"
	"slices"

	"github.com/lib/pq"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// The verification actions.
const (
	ActionApprove = "approve" // make the record from the hours the rules compute
	ActionAdjust  = "adjust"  // make the record with the minutes the coordinator gives, saying why
	ActionReject  = "reject"  // no record, saying why
)

// MaxBatch is the most attendances one verification request may decide.
const MaxBatch = 100

// VerifyRequest decides a batch of attendances the same way.
type VerifyRequest struct {
	IDs        []int64 `json:"ids"`
	Action     string  `json:"action"`
	Minutes    *int64  `json:"minutes,omitempty"`    // adjust only: the service minutes to record
	Reason     string  `json:"reason,omitempty"`     // required to adjust or reject
	Evaluation string  `json:"evaluation,omitempty"` // optional quality evaluation (优秀, 良好 …)
}

func (r *VerifyRequest) validate() error {
	bad := fields.Set{}
	switch {
	case len(r.IDs) == 0:
		bad["ids"] = "required"
	case len(r.IDs) > MaxBatch:
		bad["ids"] = "too_many_ids"
	case slices.ContainsFunc(r.IDs, func(id int64) bool { return id <= 0 }):
		bad["ids"] = "not_a_number"
	}
	r.IDs = slices.Compact(slices.Sorted(slices.Values(r.IDs)))
	switch r.Action {
	case ActionApprove:
		if r.Minutes != nil {
			bad["minutes"] = "not_allowed"
		}
	case ActionAdjust:
		if r.Minutes == nil {
			bad["minutes"] = "required"
		} else if *r.Minutes < 1 || *r.Minutes > 24*60 {
			bad["minutes"] = "range"
		}
	case ActionReject:
		if r.Minutes != nil {
			bad["minutes"] = "not_allowed"
		}
	case "":
		bad["action"] = "required"
	default:
		bad["action"] = "unknown"
	}
	if reason := cleanText(&r.Reason, 500, r.Action == ActionAdjust || r.Action == ActionReject, true); reason != "" {
		bad["reason"] = reason
	}
	if reason := cleanText(&r.Evaluation, 200, false, false); reason != "" {
		bad["evaluation"] = reason
	}
	return bad.Err(ErrInvalid)
}

// VerifyResult is what happened to one attendance of the batch.
type VerifyResult struct {
	AttendanceID int64  `json:"attendance_id"`
	Status       string `json:"status"` // verified or rejected
	// Replayed says the attendance already was so (approving twice, or concurrently): nothing changed
	// and nothing was credited again.
	Replayed bool    `json:"replayed"`
	Record   *Record `json:"record,omitempty"`
}

// AttendanceOrgs returns the organizations that ran the activities of the attendances, for the
// access check of a batch. Errors: ErrAttendanceNotFound (any id unknown).
func (s *Service) AttendanceOrgs(ctx context.Context, ids []int64) ([]int64, error) {
	var rows []struct {
		ID    int64 `db:"id"`
		OrgID int64 `db:"org_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT t.id, a.org_id FROM attendances t
JOIN activities a ON a.id = t.activity_id WHERE t.id = ANY($1)`, pq.Int64Array(ids)); err != nil {
		return nil, err
	}
	var orgs []int64
	seen := map[int64]bool{}
	for _, r := range rows {
		seen[r.ID] = true
		orgs = append(orgs, r.OrgID)
	}
	for _, id := range ids {
		if !seen[id] {
			return nil, ErrAttendanceNotFound
		}
	}
	slices.Sort(orgs)
	return slices.Compact(orgs), nil
}

// Verify approves, adjusts or rejects a batch of attendances, all or nothing, in one transaction.
// Approving creates each service record (revision 1) and exactly one earning transaction in the
// ledger, from the organization's issuing account to the volunteer at the organization's credit
// ratio, keyed by the record and revision; approving again, or concurrently, changes and credits
// nothing (Replayed). Hours added by hand must be approved by someone else than who added them.
// Errors: ErrInvalid, ErrAttendanceNotFound, ErrStillCheckedIn, ErrAlreadyVerified (adjusting or
// rejecting a verified attendance: amend its record instead), ErrNotService, ErrSecondApprover,
// ErrInvalid (minutes longer_than_activity), ErrInvalidPolicy, and the ledger's errors.
func (s *Service) Verify(ctx context.Context, by *principal.Principal, req VerifyRequest) ([]VerifyResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if req.Action != ActionReject {
		if err := s.ensurePool(ctx); err != nil {
			return nil, err
		}
	}
	var out []VerifyResult
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var users []int64
		if err := tx.SelectContext(ctx, &users, `SELECT user_id FROM attendances WHERE id = ANY($1)`,
			pq.Int64Array(req.IDs)); err != nil {
			return err
		}
		if len(users) != len(req.IDs) {
			return ErrAttendanceNotFound
		}
		// The volunteers first, then their attendances, each in id order: concurrent batches that
		// overlap wait for each other instead of deadlocking.
		if err := lockVolunteers(ctx, tx, users...); err != nil {
			return err
		}
		var rows []pendingAttendance
		if err := tx.SelectContext(ctx, &rows, `SELECT `+attendanceColumns+`, u.account_code AS user_account
FROM attendances t JOIN users u ON u.id = t.user_id
WHERE t.id = ANY($1) ORDER BY t.id FOR UPDATE OF t`, pq.Int64Array(req.IDs)); err != nil {
			return err
		}
		d := decider{s: s, ltx: ltx, by: by, req: req, activities: map[int64]Activity{}, policies: map[int64]Policy{}}
		for _, row := range rows {
			res, err := d.decide(ctx, row)
			if err != nil {
				return err
			}
			out = append(out, res)
		}
		if d.changed == 0 {
			return nil
		}
		if err := s.tellDecisions(ctx, tx, &d, rows, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "attendance." + req.Action,
			Target: "attendances:" + itoa(req.IDs[0]), OrgID: d.orgID,
			After: map[string]any{"ids": req.IDs, "minutes": req.Minutes, "reason": req.Reason}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pendingAttendance is an attendance locked for a decision, with the volunteer's ledger account.
type pendingAttendance struct {
	Attendance
	UserAccount string `db:"user_account"`
}
