package pages

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/request"
)

// recordsView is the volunteer's service: total verified hours, stars and what the next one takes,
// and every attendance with its status.
type recordsView struct {
	activity.MyRecords
	StarMarks string // ★ per star held
	// ProgressMax is the next star's threshold in minutes (0 at the top); VerifiedMinutes is the value.
	ProgressMax int64
	NextLink    string // the next (older) page; "" at the end
}

// myRecordsPage lists the volunteer's attendances and records, newest first, under the totals.
func (s *server) myRecordsPage(c *fiber.Ctx) error {
	after, err := request.After(c)
	if err != nil {
		return err
	}
	page, err := s.Activities.MyRecords(c.UserContext(), guard.Principal(c).UserID, after, activity.DefaultPage)
	if err != nil {
		return err
	}
	data := recordsView{MyRecords: page, StarMarks: strings.Repeat("★", page.Stars.Level)}
	if page.Stars.NextLevel != 0 {
		data.ProgressMax = page.Stars.NextHours * 60
	}
	if page.Next != 0 {
		data.NextLink = "/me/records?after=" + strconv.FormatInt(page.Next, 10)
	}
	v := s.actView(c, "page.act.records.title")
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_records", v)
}

// recordView is one service record with its history, and whether the volunteer may dispute it.
type recordView struct {
	Record     activity.Record
	CanDispute bool // no dispute of it is open
}

// myRecordPage shows one of the volunteer's records: every certified fact, every revision with its
// reason, every dispute with its outcome, and the form to dispute it.
func (s *server) myRecordPage(c *fiber.Ctx) error {
	return s.recordPage(c, fiber.StatusOK, form{Values: map[string]string{}, Errors: map[string]string{}})
}

// recordPage renders the record, with the dispute form as submitted when it failed. A record of
// someone else does not exist for the reader.
func (s *server) recordPage(c *fiber.Ctx, status int, f form) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.Activities.Record(c.UserContext(), id)
	if err != nil {
		return err
	}
	if r.UserID != guard.Principal(c).UserID {
		return activity.ErrRecordNotFound
	}
	data := recordView{Record: r, CanDispute: true}
	for _, d := range r.Disputes {
		if d.Status == "open" {
			data.CanDispute = false
		}
	}
	v := s.actView(c, "page.act.record.title")
	if f.Failed() {
		v.Form = f
	}
	v.Data = data
	return s.render(c, status, "activity_record", v)
}

// disputeSubmit opens a dispute of the volunteer's record with their reason.
func (s *server) disputeSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, "reason")
	if _, err := s.Activities.Dispute(c.UserContext(), guard.Principal(c).UserID, id, c.FormValue("reason")); err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.recordPage(c, status, f)
	}
	return redirect(c, "/me/records/"+strconv.FormatInt(id, 10)+"?done=disputed")
}
