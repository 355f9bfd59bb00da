package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// AssignBody names the volunteer (by volunteer number) a coordinator gives a request to.
type AssignBody struct {
	VolunteerNo string `json:"volunteer_no"`
}

// assignServiceRequest gives a submitted request to a volunteer of the team.
func (s *server) assignServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body AssignBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	return s.dispatched(c, func(p *principal.Principal) (servicedesk.Request, error) {
		return s.ServiceDesk.Assign(c.UserContext(), p, id, body.VolunteerNo)
	})
}

// takeServiceRequest is a volunteer of the team taking a submitted request: of many at once, one
// gets it, the others 409 service-request-taken.
func (s *server) takeServiceRequest(c *fiber.Ctx) error {
	return s.volunteerStep(c, s.ServiceDesk.Take)
}

// acceptServiceRequest is the assigned volunteer accepting.
func (s *server) acceptServiceRequest(c *fiber.Ctx) error {
	return s.volunteerStep(c, s.ServiceDesk.Accept)
}

// VisitBody is the request's code the volunteer scanned at the door.
type VisitBody struct {
	Code string `json:"code"`
}

// startServiceRequest is the volunteer's scan of the request's code at the door.
func (s *server) startServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body VisitBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	return s.dispatched(c, func(p *principal.Principal) (servicedesk.Request, error) {
		r, err := s.ServiceDesk.Start(c.UserContext(), p, body.Code)
		if err == nil && r.ID != id {
			return servicedesk.Request{}, problem.BadRequest("code", "not_this_request")
		}
		return r, err
	})
}

// FinishBody is the volunteer's short note on the service done.
type FinishBody struct {
	Note string `json:"note"`
}

// finishServiceRequest is the volunteer saying the service is done.
func (s *server) finishServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body FinishBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	return s.dispatched(c, func(p *principal.Principal) (servicedesk.Request, error) {
		return s.ServiceDesk.Finish(c.UserContext(), p, id, body.Note)
	})
}

// sendConfirmCode sends the resident a one-time code to confirm the service, at the volunteer's
// request at the door.
func (s *server) sendConfirmCode(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	send, err := s.smsSender(c)
	if err != nil {
		return err
	}
	if err := s.ServiceDesk.RequestConfirmCode(c.UserContext(), id, send); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(CodeSent{Message: s.msgs.Get(s.msgs.Lang(c), "detail.service_code_sent")})
}

// ConfirmBody proves the resident confirms: the request's access key or the SMS code. A signed-in
// coordinator or grid worker of the team confirms for the resident with neither.
type ConfirmBody struct {
	Access  string `json:"access,omitempty"`
	SMSCode string `json:"sms_code,omitempty"`
}

// confirmServiceRequest closes a finished request; it becomes a verified service record and the
// volunteer's credits rise. Replays confirm once.
func (s *server) confirmServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body ConfirmBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	conf := servicedesk.Confirmation{Access: body.Access, SMSCode: body.SMSCode}
	if body.Access == "" && body.SMSCode == "" {
		p, err := s.dispatcherOf(c, id)
		if err != nil {
			return err
		}
		conf.By = p
	}
	r, err := s.ServiceDesk.Confirm(c.UserContext(), id, conf)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(r)
}

// rateServiceRequest is the resident's rating of a confirmed service.
func (s *server) rateServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body servicedesk.Rating
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	r, err := s.ServiceDesk.Rate(c.UserContext(), id, body)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(r)
}

// ModerateBody publishes a rating's comment or keeps it back.
type ModerateBody struct {
	Publish bool `json:"publish"`
}

// moderateServiceComment is a coordinator deciding on a resident's comment.
func (s *server) moderateServiceComment(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body ModerateBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	return s.dispatched(c, func(p *principal.Principal) (servicedesk.Request, error) {
		return s.ServiceDesk.Moderate(c.UserContext(), p, id, body.Publish)
	})
}

// step is one move of a request by the caller.
type step func(ctx context.Context, by *principal.Principal, id int64) (servicedesk.Request, error)

// volunteerStep runs a volunteer's step on the request in the path.
func (s *server) volunteerStep(c *fiber.Ctx, fn step) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	return s.dispatched(c, func(p *principal.Principal) (servicedesk.Request, error) {
		return fn(c.UserContext(), p, id)
	})
}

// dispatched runs a step as the caller and answers the request as they may see it.
func (s *server) dispatched(c *fiber.Ctx, fn func(p *principal.Principal) (servicedesk.Request, error)) error {
	r, err := fn(guard.Principal(c).Actor())
	if err != nil {
		return err
	}
	v, err := s.viewer(c, r.OrgID)
	if err != nil {
		return err
	}
	if v.Coordinator {
		if r, err = s.ServiceDesk.Request(c.UserContext(), r.ID, v); err != nil {
			return err
		}
	}
	return c.JSON(r)
}

// dispatcherOf is the caller when they may dispatch (and so confirm for a resident) the request's
// team; anyone else is refused.
func (s *server) dispatcherOf(c *fiber.Ctx, id int64) (*principal.Principal, error) {
	p := guard.Principal(c)
	if p == nil || p.UserID == 0 {
		return nil, problem.BadRequest("access", "required")
	}
	org, err := s.ServiceDesk.RequestOrg(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	t, err := s.targets.OrgOf(c, org)
	if err != nil {
		return nil, err
	}
	if !p.Can(access.DispatchServices, t) {
		return nil, fiber.ErrForbidden
	}
	return p.Actor(), nil
}
