package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/request"
)

// fixRecordView is a service record as the organization reads it to correct it: every field, every
// revision with who made it, why, the minutes before and after and the ledger transactions, every
// dispute, and the forms to amend the record and to dismiss its open dispute.
type fixRecordView struct {
	Record     activity.Record
	Lines      []fixRevisionLine
	Open       *activity.Dispute // the open dispute, if any
	Effect     []string          // what an amendment does, in words, with this record's numbers
	MaxMinutes int64             // the activity's length: no amendment is longer
	CanVerify  bool
}

// fixRevisionLine is a revision with its ledger transactions in words. Number is the revision's
// number (the embedded Revision names the struct).
type fixRevisionLine struct {
	activity.RevisionEntry
	Number int
	Ledger []string
}

// amendFields and dismissFields are the two forms of the page; their reasons have their own names
// so that an error lands beside the right one.
var (
	amendFields   = []string{"minutes", "reason"}
	dismissFields = []string{"dismiss_reason"}
)

// orgRecordPage shows a record of the organization to those who read its activities.
func (s *server) orgRecordPage(c *fiber.Ctx) error {
	return s.orgRecordForm(c, fiber.StatusOK, s.fixView(c, "page.act.fix.record.title"))
}

// orgRecordForm renders the record in v, whose form may hold an amendment or dismissal that failed.
func (s *server) orgRecordForm(c *fiber.Ctx, status int, v view) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r, err := s.Activities.Record(ctx, id)
	if err != nil {
		return err
	}
	h, err := s.Activities.RecordHistory(ctx, id)
	if err != nil {
		return err
	}
	if err := s.actorNames(v.Lang).revisions(ctx, h); err != nil {
		return err
	}
	p, err := s.Activities.Policy(ctx, r.OrgID)
	if err != nil {
		return err
	}
	a, err := s.Activities.Activity(ctx, r.ActivityID)
	if err != nil {
		return err
	}
	t, err := s.targets.OrgOf(c, r.OrgID)
	if err != nil {
		return err
	}
	msg := func(key string, args ...any) string { return fmt.Sprintf(s.msgs.Get(v.Lang, key), args...) }
	data := fixRecordView{Record: r, MaxMinutes: a.LengthMinutes(), CanVerify: guard.Principal(c).Can(access.VerifyHours, t),
		Effect: amendEffect(msg, h[len(h)-1], p, r.Kind == activity.SourceManual)}
	for _, e := range h {
		data.Lines = append(data.Lines, fixRevisionLine{RevisionEntry: e, Number: e.Revision.Revision, Ledger: revisionLedger(msg, e)})
	}
	for i := range r.Disputes {
		if r.Disputes[i].Status == "open" {
			data.Open = &r.Disputes[i]
		}
	}
	v.Title = r.VolunteerName + " · " + r.ActivityTitle + " · " + v.Title
	v.Data = data
	return s.render(c, status, "activity_fix_record", v)
}

// revisionLedger says in words what a revision did in the ledger: the earning it posted (and any
// part that went to the pool above the account cap), and the earning it replaced, reversed or not yet.
func revisionLedger(msg func(string, ...any) string, e activity.RevisionEntry) []string {
	var out []string
	if e.EarnTxID != nil {
		out = append(out, msg("page.act.fix.history.earned", ledger.FormatHours(e.Credits)))
	} else {
		out = append(out, msg("page.act.fix.history.no_earning"))
	}
	if e.PoolCredits > 0 {
		out = append(out, msg("page.act.fix.history.pool", ledger.FormatHours(e.PoolCredits)))
	}
	switch {
	case e.ReplacesTxID != nil && e.ReversalTxID != nil:
		out = append(out, msg("page.act.fix.history.reversed"))
	case e.ReplacesTxID != nil:
		out = append(out, msg("page.act.fix.history.reversal_pending"))
	}
	return out
}

// amendEffect says in words what amending the record's current revision does: reverse its earning,
// post a new one at the organization's ratio (none for hours added by hand that earn nothing), and
// keep every revision.
func amendEffect(msg func(string, ...any) string, cur activity.RevisionEntry, p activity.Policy, manual bool) []string {
	var out []string
	if cur.EarnTxID != nil {
		out = append(out, msg("page.act.fix.amend.reverse", cur.Revision.Revision, ledger.FormatHours(cur.Credits+cur.PoolCredits)))
	} else {
		out = append(out, msg("page.act.fix.amend.nothing_to_reverse", cur.Revision.Revision))
	}
	if manual && !p.ManualEarnsCredits {
		out = append(out, msg("page.act.fix.amend.no_credits"))
	} else {
		out = append(out, msg("page.act.fix.amend.new_earning", p.CreditDenominator, p.CreditNumerator))
	}
	return append(out, msg("page.act.fix.amend.kept", cur.Revision.Revision+1, cur.Revision.Revision))
}

// amendSubmit corrects the record's service time with a reason, as a new revision: the earning of
// the revision shown is reversed and a new one posted. The revision the form was drawn from must
// still be the record's, so two people cannot amend blind one after the other.
func (s *server) amendSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, amendFields...)
	am := activity.Amendment{Reason: c.FormValue("reason")}
	am.Revision, _ = strconv.Atoi(c.FormValue("revision"))
	m := strings.TrimSpace(f.Values["minutes"])
	switch n, err := strconv.ParseInt(m, 10, 64); {
	case m == "":
		return s.fixFailed(c, f, fields.New(activity.ErrInvalid, "minutes", "required"))
	case err != nil || n < 0:
		return s.fixFailed(c, f, fields.New(activity.ErrInvalid, "minutes", "not_a_number"))
	default:
		am.Minutes = n
	}
	if _, err := s.Activities.Amend(c.UserContext(), guard.By(c), id, am); err != nil {
		return s.fixFailed(c, f, err)
	}
	return redirect(c, "/records/"+strconv.FormatInt(id, 10)+"?done=amended")
}

// dismissSubmit closes the record's open dispute without changing the record, saying why. The form
// names the dispute it showed: should another have been opened since, nothing is dismissed.
func (s *server) dismissSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, dismissFields...)
	disputeID, err := strconv.ParseInt(c.FormValue("dispute"), 10, 64)
	if err != nil {
		return s.fixFailed(c, f, activity.ErrDisputeNotFound)
	}
	r, err := s.Activities.Record(c.UserContext(), id)
	if err != nil {
		return err
	}
	open := false
	for _, d := range r.Disputes {
		open = open || d.ID == disputeID && d.Status == "open"
	}
	if !open {
		return s.fixFailed(c, f, activity.ErrDisputeNotFound)
	}
	_, err = s.Activities.DismissDispute(c.UserContext(), guard.By(c), disputeID, c.FormValue("dismiss_reason"))
	if err != nil {
		return s.fixFailed(c, f, renameField(err, "reason", "dismiss_reason"))
	}
	return redirect(c, "/records/"+strconv.FormatInt(id, 10)+"?done=dismissed")
}

// fixFailed shows the record again with what was wrong beside the fields of the form that failed.
func (s *server) fixFailed(c *fiber.Ctx, f form, err error) error {
	status, err := s.failForm(c, &f, err, map[string]string{"credits-spent": "minutes"})
	if err != nil {
		return err
	}
	v := s.fixView(c, "page.act.fix.record.title")
	v.Form = f
	return s.orgRecordForm(c, status, v)
}

// renameField gives a field error of the service the name the page's form uses for that field.
func renameField(err error, from, to string) error {
	var fe *fields.Error
	if !errors.As(err, &fe) {
		return err
	}
	out := fields.Set{}
	for k, reason := range fe.Fields() {
		if k == from {
			k = to
		}
		out[k] = reason
	}
	return out.Err(fe.Unwrap())
}
