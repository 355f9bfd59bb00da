package activity

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// KindService is the kind of activity that holds one service done for a resident outside any
// activity (a resident's request, a care visit): one volunteer, one attendance, never listed and
// never scanned into. Activities that organizations run are of kind "activity".
const KindService = "service"

// ServiceInput is one service a volunteer did for a resident, confirmed, to be recorded. The
// certified facts (title, category, content, place, people served) are printed on certificates and
// exports as an activity's are: keep them free of the resident's name, address and condition (a
// place such as the community's name, people served such as "社区老人 1 人").
type ServiceInput struct {
	// Key names the service, unique across the platform ("service_request:42", "care_visit:7"):
	// recording the same key again, even concurrently, returns the first record and credits nothing.
	Key          string
	OrgID        int64 // the organization that organized the service and certifies it
	VolunteerID  int64 // the user who served
	Title        string
	Category     string // an activity category code (elderly, health, community …)
	Content      string
	Place        string
	PeopleServed string
	// LeaderName is the service's leader on the record; empty: the volunteer.
	LeaderName string
	// StartedAt and FinishedAt are the volunteer's scans at the door: the attendance's check-in and
	// check-out. The service is at most 24 hours and finished by now.
	StartedAt, FinishedAt time.Time
	// InsideAtStart and InsideAtFinish say whether each scan was at the place (nil: not known).
	InsideAtStart, InsideAtFinish *bool
	// Minutes, when not 0, is the service time to record instead of what the policy computes from
	// the scans (as a coordinator's adjustment): at most the time between them.
	Minutes int64
	// Evaluation is an optional quality evaluation (优秀, 良好 …).
	Evaluation string
	// ConfirmedBy is who confirmed the service and so records it: a coordinator or a grid worker;
	// the operator when the resident confirmed it themselves by a code.
	ConfirmedBy *principal.Principal
}

func (in *ServiceInput) validate(now time.Time) error {
	bad := fields.Set{}
	if r := cleanText(&in.Key, 100, true, false); r != "" {
		bad["key"] = r
	}
	if in.OrgID <= 0 {
		bad["org_id"] = "required"
	}
	if in.VolunteerID <= 0 {
		bad["volunteer_id"] = "required"
	}
	for _, f := range []struct {
		name     string
		v        *string
		max      int
		required bool
	}{{"title", &in.Title, 100, true}, {"category", &in.Category, 30, true}, {"content", &in.Content, 2000, false},
		{"place", &in.Place, 200, true}, {"people_served", &in.PeopleServed, 200, false},
		{"leader_name", &in.LeaderName, 50, false}, {"evaluation", &in.Evaluation, 200, false}} {
		if r := cleanText(f.v, f.max, f.required, f.name == "content"); r != "" {
			bad[f.name] = r
		}
	}
	switch {
	case in.StartedAt.IsZero():
		bad["started_at"] = "required"
	case in.FinishedAt.IsZero():
		bad["finished_at"] = "required"
	case !in.FinishedAt.After(in.StartedAt), in.FinishedAt.Sub(in.StartedAt) > 24*time.Hour:
		bad["finished_at"] = "range"
	case in.FinishedAt.After(now.Add(time.Minute)):
		bad["finished_at"] = "future"
	}
	if in.Minutes < 0 || in.Minutes > 24*60 {
		bad["minutes"] = "range"
	}
	if in.ConfirmedBy == nil {
		bad["confirmed_by"] = "required"
	}
	return bad.Err(ErrInvalid)
}

// RecordService makes the verified service record of a service done outside any activity, in the
// caller's transaction, by the very path an approved attendance takes: a one-person activity of
// kind "service" (never listed) with one scanned attendance from StartedAt to FinishedAt, approved
// under the organization's policy (grace, rounding, minimum, daily and account caps, credit ratio),
// so that the record, its earning in the ledger, the credit lot, later amendments by reversal,
// disputes, certificates, exports and reports are those of any record. Recording a key again
// returns its record and posts nothing.
// Errors: ErrInvalid (also category unknown, org_id not_found, minutes longer_than_activity),
// ErrServiceKeyConflict (the key was recorded for another volunteer or organization), ErrNotService,
// ErrInvalidPolicy, and the ledger's errors.
func (s *Service) RecordService(ctx context.Context, ltx *ledger.Tx, in ServiceInput) (Record, error) {
	if err := in.validate(s.now()); err != nil {
		return Record{}, err
	}
	if err := s.ensurePool(ctx); err != nil {
		return Record{}, err
	}
	tx := ltx.Sqlx()
	var volunteer struct {
		Name string `db:"name"`
	}
	err := tx.GetContext(ctx, &volunteer, `SELECT name FROM users WHERE id = $1`, in.VolunteerID)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, invalid("volunteer_id", "not_found")
	} else if err != nil {
		return Record{}, err
	}
	if err := lockVolunteers(ctx, tx, in.VolunteerID); err != nil {
		return Record{}, err
	}
	if in.LeaderName == "" {
		name := []rune(volunteer.Name)
		in.LeaderName = strings.TrimSpace(string(name[:min(len(name), 50)]))
	}
	label := principal.Principal{UserID: in.VolunteerID}
	var activityID int64
	err = tx.GetContext(ctx, &activityID, `
INSERT INTO activities (org_id, kind, service_key, title, content, category, address, starts_at, ends_at, capacity,
    signup_required, leader_name, people_served, is_service, created_by)
VALUES ($1, 'service', $2, $3, $4, $5, $6, $7, $8, 1, false, $9, $10, true, $11)
ON CONFLICT (service_key) DO NOTHING RETURNING id`,
		in.OrgID, in.Key, in.Title, in.Content, in.Category, in.Place, in.StartedAt, in.FinishedAt, in.LeaderName,
		in.PeopleServed, in.ConfirmedBy.Label())
	if errors.Is(err, sql.ErrNoRows) {
		return s.recordedService(ctx, ltx, in)
	} else if err != nil {
		return Record{}, createError(err)
	}
	var row pendingAttendance
	err = tx.GetContext(ctx, &row, `
WITH t AS (
    INSERT INTO attendances (activity_id, user_id, source, status, check_in_at, check_in_by, inside_at_check_in,
        check_out_at, check_out_by, inside_at_check_out)
    VALUES ($1, $2, 'scan', 'closed', $3, $4, $5, $6, $4, $7)
    RETURNING *
)
SELECT `+attendanceColumns+`, u.account_code AS user_account FROM t JOIN users u ON u.id = t.user_id`,
		activityID, in.VolunteerID, in.StartedAt, label.Label(), in.InsideAtStart, in.FinishedAt, in.InsideAtFinish)
	if err != nil {
		return Record{}, err
	}
	d := decider{s: s, ltx: ltx, by: in.ConfirmedBy, activities: map[int64]Activity{}, policies: map[int64]Policy{},
		req: VerifyRequest{IDs: []int64{row.ID}, Action: ActionApprove, Evaluation: in.Evaluation}}
	if in.Minutes > 0 {
		d.req.Action, d.req.Minutes = ActionAdjust, &in.Minutes
	}
	res, err := d.decide(ctx, row)
	if err != nil {
		return Record{}, err
	}
	// The volunteer hears of it as of any verified hours: the minutes given were confirmed, not
	// adjusted against what the scans said.
	d.req.Action = ActionApprove
	if err := s.tellDecisions(ctx, tx, &d, []pendingAttendance{row}, []VerifyResult{res}); err != nil {
		return Record{}, err
	}
	rec := *res.Record
	err = audit.Record(ctx, tx, audit.Entry{Actor: in.ConfirmedBy.Label(), Action: "record.service",
		Target: "record:" + itoa(rec.ID), OrgID: in.OrgID,
		After: map[string]any{"key": in.Key, "user_id": in.VolunteerID, "minutes": rec.Minutes, "credits": rec.Credits}})
	return rec, err
}

// recordedService returns the record of a service key already recorded, after checking it is the
// same service.
func (s *Service) recordedService(ctx context.Context, ltx *ledger.Tx, in ServiceInput) (Record, error) {
	rec, err := oneRecord(ctx, ltx.Sqlx(), `r.activity_id = (SELECT id FROM activities WHERE service_key = $1)`, in.Key)
	if err != nil {
		return Record{}, err
	}
	if rec.UserID != in.VolunteerID || rec.OrgID != in.OrgID {
		return Record{}, ErrServiceKeyConflict
	}
	return rec, nil
}

// isServiceKindError tells the database's refusal of a second attendance at a service.
func isServiceKindError(err error) bool { return pgerr.Violates(err, "TB102", "") }
