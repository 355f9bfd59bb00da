package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

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

// VisitBody is the code the volunteer scanned at the door: the request's, or the card of the
// registry person it is for.
type VisitBody struct {
	Code string `json:"code"`
}

// startServiceRequest is the volunteer's scan at the door: the request's code (refused once it is
// no longer valid) or the card of the person the request is for.
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
		return s.ServiceDesk.Start(c.UserContext(), p, id, body.Code)
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
// person who may act for the request's residents (the team's dispatchers, the community's grid
// workers) confirms for the resident with neither, and is recorded as who confirmed.
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
		if p := guard.Principal(c); p == nil || p.UserID == 0 {
			return problem.BadRequest("access", "required")
		}
		by, err := s.ServiceDesk.ConfirmerOf(c.UserContext(), guard.Principal(c), id)
		if err != nil {
			return err
		}
		if by == nil {
			return fiber.ErrForbidden
		}
		conf.By = by
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
