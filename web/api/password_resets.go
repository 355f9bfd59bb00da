package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
	"timebank/web/request"
)

// ResetRequest is the body of POST /api/v1/password-resets: the number to send a code to.
type ResetRequest struct {
	Phone string `json:"phone"`
}

// ResetAccepted answers a reset request the same way for every number.
type ResetAccepted struct {
	Message string `json:"message"`
}

// requestReset sends a reset code by SMS if the number is registered; the answer is the same
// either way (202), so that it cannot be used to find out who is registered.
func (s *server) requestReset(c *fiber.Ctx) error {
	var req ResetRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	lang := s.msgs.Lang(c)
	if err := s.guard.RequestReset(c, req.Phone, lang, s.SMS); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(ResetAccepted{Message: s.msgs.Get(lang, "detail.reset_sent")})
}

// ResetConfirm is the body of POST /api/v1/password-resets/confirm.
type ResetConfirm struct {
	Phone       string `json:"phone"`
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

// confirmReset sets the new password with a code (from SMS or from the staff) and signs the person
// out everywhere; they then sign in with the new password.
func (s *server) confirmReset(c *fiber.Ctx) error {
	var req ResetConfirm
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.guard.Reset(c, req.Phone, req.Code, req.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ResetCode is a one-time reset code the staff issued: shown once, to be handed to the person.
type ResetCode struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// issueReset makes a one-time reset code for a member of the organization, for the staff who
// checked the person in person. The code is in this answer only (no-store), never stored in clear.
func (s *server) issueReset(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := request.IDParam(c, "user")
	if err != nil {
		return err
	}
	r, err := s.Users.IssueStaffReset(c.UserContext(), guard.Change(c), guard.Principal(c), s.Orgs, orgID, userID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(ResetCode{Code: r.Code, ExpiresAt: r.ExpiresAt})
}
