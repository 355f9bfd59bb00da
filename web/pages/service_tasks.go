package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/request"
)

// tasksView is the volunteer's list: the requests given to them and the open ones of their teams.
type tasksView struct {
	Items []servicedesk.Request
}

// serviceTasksPage is the volunteer's tasks.
func (s *server) serviceTasksPage(c *fiber.Ctx) error {
	p := guard.Principal(c)
	q := servicedesk.ListQuery{VolunteerID: p.UserID, OrgIDs: []int64{}, Limit: 100,
		Statuses: []string{servicedesk.StatusSubmitted, servicedesk.StatusAssigned, servicedesk.StatusAccepted,
			servicedesk.StatusStarted, servicedesk.StatusFinished}}
	for _, g := range p.Grants {
		if g.Kind == access.Org && (g.Role == access.Volunteer || g.Role == access.Coordinator) {
			q.OrgIDs = append(q.OrgIDs, g.OrgID)
		}
	}
	items, err := s.ServiceDesk.List(c.UserContext(), q, servicedesk.Viewer{UserID: p.UserID})
	if err != nil {
		return err
	}
	v := s.newView(c, "page.svc.tasks.title")
	v.Data = tasksView{Items: items}
	return s.render(c, fiber.StatusOK, "service_tasks", v)
}

// serviceStepSubmit takes, accepts or finishes a request from the tasks page.
func (s *server) serviceStepSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	by, ctx := guard.Principal(c).Actor(), c.UserContext()
	switch c.Params("step") {
	case "take":
		_, err = s.ServiceDesk.Take(ctx, by, id)
	case "accept":
		_, err = s.ServiceDesk.Accept(ctx, by, id)
	case "finish":
		_, err = s.ServiceDesk.Finish(ctx, by, id, c.FormValue("note"))
	case "confirm-code":
		send, serr := s.smsSend(c)
		if err = serr; err == nil {
			err = s.ServiceDesk.RequestConfirmCode(ctx, id, send)
		}
	default:
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return redirect(c, "/service/tasks?notice=service-"+c.Params("step"))
}

// serviceVisitPage is what the request's code opens on the volunteer's phone at the door: the
// button that starts the service. A visitor not signed in signs in first.
func (s *scanPages) serviceVisitPage(c *fiber.Ctx, token string) error {
	if p := guard.Principal(c); p == nil || p.UserID == 0 {
		return redirect(c, "/login?next=/q/"+token)
	}
	v := s.newView(c, "page.svc.visit.title")
	v.Form = form{Values: map[string]string{"code": token}}
	return s.render(c, fiber.StatusOK, "service_visit", v)
}

// serviceVisitSubmit starts the service: the proof of the visit, at this moment.
func (s *server) serviceVisitSubmit(c *fiber.Ctx) error {
	if _, err := s.ServiceDesk.Start(c.UserContext(), guard.Principal(c).Actor(), 0, c.FormValue("code")); err != nil {
		return err
	}
	return redirect(c, "/service/tasks?notice=service-start")
}
