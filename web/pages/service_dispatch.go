package pages

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/request"
)

// dispatchView is the coordinator's page of the team's requests: to assign, the unconfirmed ones
// with their deadlines, comments to moderate, the ratings and the desks' codes to print.
type dispatchView struct {
	OrgID    int64
	Items    []servicedesk.Request
	Waiting  []servicedesk.Waiting
	Standing servicedesk.Standing
	Desks    []deskCard
}

// deskCard is a desk with its code drawn, for printing.
type deskCard struct {
	servicedesk.Desk
	Image template.URL
}

// serviceDispatchPage is the team's dispatch.
func (s *server) serviceDispatchPage(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d := dispatchView{OrgID: orgID}
	if d.Items, err = s.ServiceDesk.List(ctx, servicedesk.ListQuery{OrgIDs: []int64{orgID}, Limit: 100},
		servicedesk.Viewer{UserID: guard.Principal(c).UserID, Coordinator: true}); err != nil {
		return err
	}
	if d.Waiting, err = s.ServiceDesk.Waiting(ctx, orgID); err != nil {
		return err
	}
	if d.Standing, err = s.ServiceDesk.Standing(ctx, orgID); err != nil {
		return err
	}
	desks, err := s.ServiceDesk.Desks(ctx, orgID)
	if err != nil {
		return err
	}
	for _, desk := range desks {
		code, err := s.ServiceDesk.Code(desk)
		if err != nil {
			return err
		}
		img, err := storeQR(code.URL)
		if err != nil {
			return err
		}
		d.Desks = append(d.Desks, deskCard{Desk: desk, Image: img})
	}
	v := s.newView(c, "page.svc.dispatch.title")
	v.Data = d
	return s.render(c, fiber.StatusOK, "service_dispatch", v)
}

// serviceDispatchSubmit gives a request of the team to a volunteer, confirms or cancels it for its
// resident, or decides on its comment.
func (s *server) serviceDispatchSubmit(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	id, err := request.IDParam(c, "request")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if org, err := s.ServiceDesk.RequestOrg(ctx, id); err != nil {
		return err
	} else if org != orgID {
		return servicedesk.ErrRequestNotFound
	}
	by := guard.Principal(c).Actor()
	switch c.Params("step") {
	case "assign":
		_, err = s.ServiceDesk.Assign(ctx, by, id, c.FormValue("volunteer_no"))
	case "publish", "reject":
		_, err = s.ServiceDesk.Moderate(ctx, by, id, c.Params("step") == "publish")
	case "confirm":
		_, err = s.ServiceDesk.Confirm(ctx, id, servicedesk.Confirmation{By: by})
	case "cancel":
		_, err = s.ServiceDesk.Cancel(ctx, id, servicedesk.Cancellation{By: by, Reason: c.FormValue("reason")})
	default:
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return redirect(c, "/orgs/"+c.Params("id")+"/service?notice=service-"+c.Params("step"))
}

// serviceDeskSubmit opens a desk of the team for a community.
func (s *server) serviceDeskSubmit(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	_, err = s.ServiceDesk.CreateDesk(c.UserContext(), guard.Principal(c).Actor(), servicedesk.NewDesk{OrgID: orgID,
		RegionCode: c.FormValue("region_code"), Name: c.FormValue("name")})
	if err != nil {
		return err
	}
	return redirect(c, "/orgs/"+c.Params("id")+"/service?notice=service-desk")
}
