package activity

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/notify"
)

// tellDecisions writes, in the decision's transaction, a notice to each volunteer whose hours were
// approved, adjusted or rejected now (a replayed decision tells nobody again): rows and out are
// the attendances decided and their results, in the same order.
func (s *Service) tellDecisions(ctx context.Context, tx *sqlx.Tx, d *decider, rows []pendingAttendance, out []VerifyResult) error {
	if s.notify == nil {
		return nil
	}
	var ns []notify.Notice
	for i, res := range out {
		switch {
		case res.Replayed:
		case res.Record != nil:
			kind := notify.HoursVerified
			if d.req.Action == ActionAdjust {
				kind = notify.HoursAdjusted
			}
			r := res.Record
			ns = append(ns, notify.Notice{UserID: r.UserID, Kind: kind,
				Event: fmt.Sprintf("record:%d:rev:%d", r.ID, r.Revision),
				Params: map[string]any{"activity": r.ActivityTitle, "date": r.ServiceDate, "minutes": r.Minutes,
					"credits": r.Credits}})
		case res.Status == StatusRejected:
			ns = append(ns, notify.Notice{UserID: rows[i].UserID, Kind: notify.HoursRejected,
				Event:  fmt.Sprintf("attendance:%d:rejected", res.AttendanceID),
				Params: map[string]any{"activity": d.activities[rows[i].ActivityID].Title, "reason": d.req.Reason}})
		}
	}
	return s.notify.Write(ctx, tx, ns...)
}
