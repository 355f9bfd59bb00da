package pages

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/request"
)

// queueView is an activity's verification queue: its deadline, and each attendance with what
// approving it now would record and the warnings to look at first.
type queueView struct {
	Queue     activity.Queue
	Lines     []queueLine
	Waiting   int  // attendances awaiting a decision
	CanVerify bool // the reader may decide (an auditor only reads)
	MaxBatch  int
	Confirm   *batchConfirm // a batch with flagged rows waiting to be confirmed
	Open      int64         // the row whose own decision was refused: shown open, with what was typed
}

// queueLine is one attendance of the queue.
type queueLine struct {
	activity.QueueItem
	In, Out   string   // times of check-in and check-out, "03-10 09:02"
	Warnings  []string // translated
	Decidable bool     // checked out and not yet decided
}

// queueWarnings name the warnings of activity.QueueItem.
var queueWarnings = map[string]string{
	"clipped":       "page.act.warn.clipped",
	"rounded":       "page.act.warn.rounded",
	"below_minimum": "page.act.warn.below_minimum",
	"capped":        "page.act.warn.capped",
	"auto_closed":   "page.act.warn.auto_closed",
	"outside_area":  "page.act.warn.outside_area",
	"manual":        "page.act.warn.manual",
	"disputed":      "page.act.warn.disputed",
}

// queueFields are the verification forms' fields.
var queueFields = []string{"ids", "action", "minutes", "reason"}

// queuePage shows the activity's verification queue.
func (s *server) queuePage(c *fiber.Ctx) error {
	return s.queueForm(c, fiber.StatusOK, s.actView(c, "page.act.queue.title"))
}

// queueForm renders the queue in v, whose form may hold a decision that failed.
func (s *server) queueForm(c *fiber.Ctx, status int, v view) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	q, err := s.Activities.Attendances(c.UserContext(), id, 0, 0)
	if err != nil {
		return err
	}
	t, err := s.targets.OrgOf(c, q.Activity.OrgID)
	if err != nil {
		return err
	}
	data := queueView{Queue: q, CanVerify: guard.Principal(c).Can(access.VerifyHours, t), MaxBatch: activity.MaxBatch}
	data.Confirm, _ = c.Locals(localBatchConfirm).(*batchConfirm)
	data.Open, _ = c.Locals(localOpenRow).(int64)
	for _, it := range q.Items {
		l := queueLine{QueueItem: it, In: dayClock(it.CheckInAt), Out: dayClock(it.CheckOutAt),
			Decidable: it.Status == activity.StatusClosed}
		for _, w := range it.Warnings {
			if key, ok := queueWarnings[w]; ok {
				l.Warnings = append(l.Warnings, s.msgs.Get(v.Lang, key))
			} else {
				l.Warnings = append(l.Warnings, w)
			}
		}
		if l.Decidable {
			data.Waiting++
		}
		data.Lines = append(data.Lines, l)
	}
	v.Title = q.Activity.Title + " · " + v.Title
	v.Data = data
	return s.render(c, status, "activity_queue", v)
}

// verifySubmit decides the checked attendances (or the one of a row's form) the same way: approve,
// adjust to the minutes given, or reject, with a reason for the last two. The caller must be
// allowed to verify at the organization of every attendance, as in the JSON API.
func (s *server) verifySubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, queueFields...)
	req := activity.VerifyRequest{Action: f.Values["action"], Reason: c.FormValue("reason")}
	for _, raw := range c.Request().PostArgs().PeekMulti("ids") {
		if len(req.IDs) == activity.MaxBatch {
			return s.verifyFailed(c, f, fields.New(activity.ErrInvalid, "ids", "too_many_ids"))
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return s.verifyFailed(c, f, fields.New(activity.ErrInvalid, "ids", "not_a_number"))
		}
		req.IDs = append(req.IDs, n)
	}
	if m := strings.TrimSpace(f.Values["minutes"]); m != "" && req.Action == activity.ActionAdjust {
		n, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			return s.verifyFailed(c, f, fields.New(activity.ErrInvalid, "minutes", "not_a_number"))
		}
		req.Minutes = &n
	}
	if len(req.IDs) == 0 {
		return s.verifyFailed(c, f, fields.New(activity.ErrInvalid, "ids", "required"))
	}
	orgs, err := s.Activities.AttendanceOrgs(c.UserContext(), req.IDs)
	if err != nil {
		return s.verifyFailed(c, f, err)
	}
	for _, o := range orgs {
		t, err := s.targets.OrgOf(c, o)
		if err != nil {
			return err
		}
		if err := guard.Can(c, access.VerifyHours, t); err != nil {
			return err
		}
	}
	if ask, err := s.confirmBatch(c, id, req); err != nil || ask != nil {
		if err != nil {
			return err
		}
		return s.askBatch(c, ask)
	}
	res, err := s.Activities.Verify(c.UserContext(), guard.By(c), req)
	if err != nil {
		return s.verifyFailed(c, f, err)
	}
	changed := 0
	for _, r := range res {
		if !r.Replayed {
			changed++
		}
	}
	return redirect(c, "/activities/"+strconv.FormatInt(id, 10)+"/queue?done="+req.Action+"&n="+strconv.Itoa(changed))
}

// verifyFailed shows the queue again with what was wrong with the decision at the top. A row's own
// form (row=1, one attendance) comes back open on that row, with what was typed and the messages
// beside its fields, which the summary's links point at.
func (s *server) verifyFailed(c *fiber.Ctx, f form, err error) error {
	status, err := s.failForm(c, &f, err, nil)
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.queue.title")
	v.Form = f
	if row, perr := strconv.ParseInt(c.FormValue("ids"), 10, 64); perr == nil && c.FormValue("row") == "1" {
		v.Form = rowForm(f, row)
		c.Locals(localOpenRow, row)
	}
	return s.queueForm(c, status, v)
}

// localOpenRow carries the row of a refused row form from verifyFailed to queueForm.
const localOpenRow = "pages.queueOpenRow"

// rowForm is f as the row's form shows it: its fields named by the row (minutes-<id>,
// reason-<id>), the rest of the messages about the form as a whole.
func rowForm(f form, row int64) form {
	suffix := "-" + strconv.FormatInt(row, 10)
	out := form{Values: map[string]string{}, Errors: map[string]string{}, order: []string{"minutes" + suffix, "reason" + suffix},
		other: f.other}
	for _, name := range []string{"minutes", "reason"} {
		out.Values[name+suffix] = f.Values[name]
		if msg, ok := f.Errors[name]; ok {
			out.Errors[name+suffix] = msg
		}
	}
	for name, msg := range f.Errors {
		if name != "minutes" && name != "reason" {
			out.other = append(out.other, msg)
		}
	}
	return out
}

// dayClock is a moment as "03-10 09:02", China Standard Time; "" for none.
func dayClock(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(chinatime.Zone()).Format("01-02 15:04")
}
