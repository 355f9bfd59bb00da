package activity

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/principal"
)

// decider decides the attendances of one verification batch inside its transaction, reading each
// activity and policy once.
type decider struct {
	s          *Service
	ltx        *ledger.Tx
	by         *principal.Principal
	req        VerifyRequest
	activities map[int64]Activity
	policies   map[int64]Policy
	changed    int
	orgID      int64 // the organization of the first attendance changed, for the audit entry
}

func (d *decider) activity(ctx context.Context, id int64) (Activity, Policy, error) {
	a, ok := d.activities[id]
	if !ok {
		var err error
		if a, err = d.s.getActivity(ctx, d.ltx.Sqlx(), id, false); err != nil {
			return Activity{}, Policy{}, err
		}
		d.activities[id] = a
	}
	p, ok := d.policies[a.OrgID]
	if !ok {
		var err error
		if p, err = policyOf(ctx, d.s.stmts, d.ltx.Sqlx(), a.OrgID); err != nil {
			return Activity{}, Policy{}, err
		}
		d.policies[a.OrgID] = p
	}
	return a, p, nil
}

// decide applies the batch's action to one locked attendance.
func (d *decider) decide(ctx context.Context, row pendingAttendance) (VerifyResult, error) {
	tx := d.ltx.Sqlx()
	res := VerifyResult{AttendanceID: row.ID}
	switch row.Status {
	case StatusOpen:
		return res, ErrStillCheckedIn
	case StatusVerified:
		if d.req.Action != ActionApprove {
			return res, ErrAlreadyVerified
		}
		rec, err := oneRecord(ctx, tx, `r.attendance_id = $1`, row.ID)
		res.Status, res.Replayed, res.Record = StatusVerified, true, &rec
		return res, err
	case StatusRejected:
		if d.req.Action == ActionReject {
			res.Status, res.Replayed = StatusRejected, true
			return res, nil
		}
	}
	a, p, err := d.activity(ctx, row.ActivityID)
	if err != nil {
		return res, err
	}
	if d.orgID == 0 {
		d.orgID = a.OrgID
	}
	d.changed++
	if d.req.Action == ActionReject {
		res.Status = StatusRejected
		return res, decideAttendance(ctx, tx, row.ID, StatusRejected, d.by, d.req.Reason)
	}
	switch {
	case !a.IsService:
		return res, ErrNotService
	case row.Source == SourceManual && row.RequestedBy != nil && *row.RequestedBy == d.by.Label():
		return res, ErrSecondApprover
	}
	out, err := d.outcome(ctx, row, a, p)
	if err != nil {
		return res, err
	}
	rec, err := d.s.makeRecord(ctx, d.ltx, recordInput{att: row, act: a, policy: p, out: out, by: d.by,
		reason: d.req.Reason, evaluation: d.req.Evaluation})
	if err != nil {
		return res, err
	}
	res.Status, res.Record = StatusVerified, &rec
	return res, decideAttendance(ctx, tx, row.ID, StatusVerified, d.by, d.req.Reason)
}

func decideAttendance(ctx context.Context, tx *sqlx.Tx, id int64, status string, by *principal.Principal, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE attendances SET status = $2, decided_by = $3, decided_at = now(),
    decision_reason = $4 WHERE id = $1`, id, status, by.Label(), reason)
	return err
}

// The sources of an attendance.
const (
	SourceScan   = "scan"
	SourceManual = "manual"
)

// outcome is the service time a decision records, with the days it fell on and why it is what it is.
type outcome struct {
	minutes  int64
	from, to *time.Time
	day      Date // the service date: the day the counted time began
	days     []DayMinutes
	flags    []string
}

// outcome computes the minutes of an attendance: by Hours for a scanned one, as given for hours
// added by hand or set by an adjustment (never longer than the activity), under the daily cap
// either way.
func (d *decider) outcome(ctx context.Context, row pendingAttendance, a Activity, p Policy) (outcome, error) {
	tx := d.ltx.Sqlx()
	day := DateOf(a.StartsAt)
	if row.CheckInAt != nil {
		day = DateOf(*row.CheckInAt)
	}
	given := row.ManualMinutes
	if d.req.Action == ActionAdjust {
		given = d.req.Minutes
	}
	if given != nil {
		if *given > a.LengthMinutes() {
			return outcome{}, invalid("minutes", "longer_than_activity")
		}
		credited, err := creditedDays(ctx, tx, row.UserID, 0, day, day)
		if err != nil {
			return outcome{}, err
		}
		o := capOnDay(p, day, *given, credited)
		o.flags = append(o.flags, attendanceFlags(row)...)
		return o, nil
	}
	out := time.Time{}
	if row.CheckOutAt != nil {
		out = *row.CheckOutAt
	}
	end := a.EndsAt
	if out.After(end) {
		end = out
	}
	last := DateOf(end.Add(time.Duration(p.GraceMinutes) * time.Minute))
	credited, err := creditedDays(ctx, tx, row.UserID, 0, day.AddDays(-1), last)
	if err != nil {
		return outcome{}, err
	}
	h, err := Hours(HoursInput{CheckIn: *row.CheckInAt, CheckOut: out, Start: a.StartsAt, End: a.EndsAt,
		Credited: credited}, p)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{minutes: h.Minutes, day: day, days: h.Days, flags: h.Flags.Keys()}
	if h.Served > 0 {
		o.from, o.to, o.day = &h.From, &h.To, DateOf(h.From)
	}
	o.flags = append(o.flags, attendanceFlags(row)...)
	return o, nil
}

// capOnDay records given minutes on one day, under the daily cap.
func capOnDay(p Policy, day Date, given int64, credited map[Date]int64) outcome {
	o := outcome{minutes: given, day: day}
	if p.DailyCapMinutes > 0 {
		if room := max(p.DailyCapMinutes-max(credited[day], 0), 0); given > room {
			o.minutes = room
			o.flags = append(o.flags, "capped")
		}
	}
	if o.minutes > 0 {
		o.days = []DayMinutes{{Date: day, Minutes: o.minutes}}
	}
	return o
}

// attendanceFlags are the warnings an attendance itself carries, beyond those of Hours.
func attendanceFlags(row pendingAttendance) []string {
	var f []string
	if row.AutoClosed {
		f = append(f, "auto_closed")
	}
	if row.InsideAtCheckIn != nil && !*row.InsideAtCheckIn || row.InsideAtCheckOut != nil && !*row.InsideAtCheckOut {
		f = append(f, "outside_area")
	}
	if row.Source == SourceManual {
		f = append(f, "manual")
	}
	return f
}

// dayArrays turns the per-day minutes into the two arrays a revision stores.
func dayArrays(days []DayMinutes) (pq.StringArray, pq.Int64Array) {
	dates, mins := pq.StringArray{}, pq.Int64Array{}
	for _, d := range days {
		dates, mins = append(dates, d.Date.String()), append(mins, d.Minutes)
	}
	return dates, mins
}
