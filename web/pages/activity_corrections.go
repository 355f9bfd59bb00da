package pages

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// fixDone are the notices a redirect of these pages may ask for (?done=…), beside actDone's.
var fixDone = map[string]string{
	"amended":         "page.act.fix.done.amended",
	"dismissed":       "page.act.fix.done.dismissed",
	"manual-added":    "page.act.manual.done.added",
	"manual-approved": "page.act.manual.done.approved",
	"manual-rejected": "page.act.manual.done.rejected",
}

// fixView is actView with the notices of the correction pages.
func (s *server) fixView(c *fiber.Ctx, titleKey string) view {
	v := s.actView(c, titleKey)
	if key, ok := fixDone[c.Query("done")]; ok {
		v.Notice = s.msgs.Get(v.Lang, key)
	}
	return v
}

// The statuses the records list shows and filters by: what a volunteer sees of the same attendance.
var fixStatuses = []string{activity.MyPending, activity.MyVerified, activity.MyRejected, activity.MyDisputed}

// fixRecordsView is an activity's attendances with the status of each, counted and filtered.
type fixRecordsView struct {
	Activity  activity.Activity
	Lines     []fixRecordLine
	Counts    map[string]int
	Statuses  []string
	Filter    string // "" for all
	NextLink  string
	CanVerify bool
}

// fixRecordLine is one attendance and, once verified, its record.
type fixRecordLine struct {
	activity.QueueItem
	Shown   string // pending, verified, rejected or disputed
	In, Out string
}

// shownStatus is the attendance's status as the records list names it.
func shownStatus(it activity.QueueItem) string {
	switch {
	case it.RecordStatus != nil && *it.RecordStatus == activity.RecordDisputed:
		return activity.MyDisputed
	case it.RecordID != nil:
		return activity.MyVerified
	case it.Status == activity.StatusRejected:
		return activity.MyRejected
	}
	return activity.MyPending
}

// activityRecordsPage lists the activity's attendances and records with their status, optionally
// only those of one status (?status=), in pages of activity.MaxPage attendances (?after=).
func (s *server) activityRecordsPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	after, err := request.After(c)
	if err != nil {
		return err
	}
	filter := c.Query("status")
	if filter != "" && !slices.Contains(fixStatuses, filter) {
		return problem.BadRequest("status", "unknown")
	}
	q, err := s.Activities.Attendances(c.UserContext(), id, after, activity.MaxPage)
	if err != nil {
		return err
	}
	t, err := s.targets.OrgOf(c, q.Activity.OrgID)
	if err != nil {
		return err
	}
	data := fixRecordsView{Activity: q.Activity, Counts: map[string]int{}, Statuses: fixStatuses, Filter: filter,
		CanVerify: guard.Principal(c).Can(access.VerifyHours, t)}
	for _, it := range q.Items {
		l := fixRecordLine{QueueItem: it, Shown: shownStatus(it), In: dayClock(it.CheckInAt), Out: dayClock(it.CheckOutAt)}
		data.Counts[l.Shown]++
		if filter == "" || filter == l.Shown {
			data.Lines = append(data.Lines, l)
		}
	}
	if q.Next != 0 {
		data.NextLink = "/activities/" + strconv.FormatInt(id, 10) + "/records?after=" + strconv.FormatInt(q.Next, 10)
		if filter != "" {
			data.NextLink += "&status=" + filter
		}
	}
	v := s.fixView(c, "page.act.fix.records.title")
	v.Title = q.Activity.Title + " · " + v.Title
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_fix_records", v)
}

// disputesView is the open disputes of each organization the caller reads activities of.
type disputesView struct {
	Orgs []disputesOrg
}

type disputesOrg struct {
	ID       int64
	Name     string
	Disputes []activity.OpenDispute
}

// openDisputesPage lists the open disputes of the organizations the caller holds a role in that
// reads activities, oldest first: a record may be disputed long after its activity left the queue.
func (s *server) openDisputesPage(c *fiber.Ctx) error {
	var data disputesView
	seen := map[int64]bool{}
	for _, g := range guard.Principal(c).Scopes(access.ReadActivities) {
		if g.Kind != access.Org || seen[g.OrgID] {
			continue
		}
		seen[g.OrgID] = true
		ds, err := s.Activities.OpenDisputes(c.UserContext(), g.OrgID)
		if err != nil {
			return err
		}
		data.Orgs = append(data.Orgs, disputesOrg{ID: g.OrgID, Name: g.Name, Disputes: ds})
	}
	v := s.fixView(c, "page.act.fix.disputes.title")
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_fix_disputes", v)
}
