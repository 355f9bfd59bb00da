package guard

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/outage"
	"timebank/pkg/sms"
	"timebank/web/observe"
)

// Limits of the self-service password reset, on top of the per-person limit of the codes sent
// (identity.SMSResetEvery, identity.SMSResetPerDay): per address, so that one machine cannot walk
// through numbers, and per number, so that many cannot flood one person.
const (
	ResetRequestsPerAddr  = 10
	ResetRequestsPerPhone = 5
	ResetTriesPerAddr     = 20
	ResetWindow           = time.Hour
)

// RequestReset sends a password reset code by SMS to the number if it is a registered person's,
// in the language of the request, and answers the same whether it is or not: nothing here tells who is registered. Only an
// unavailable database, a service with no SMS at all, or a limit reached is an error, and each of
// those is the same for every number.
// Errors: sms.ErrNotConfigured, ErrRateLimited, and outages.
func (g *Guard) RequestReset(c *fiber.Ctx, phone, lang string, sender sms.Sender) error {
	if !sms.Enabled(sender) {
		return sms.ErrNotConfigured
	}
	if err := g.RateLimit(c, "reset:addr:"+g.ClientIP(c), ResetRequestsPerAddr, ResetWindow); err != nil {
		return err
	}
	key := phone
	if p, err := identity.NormalizePhone(phone); err == nil {
		key = p
	}
	if err := g.RateLimit(c, "reset:phone:"+key, ResetRequestsPerPhone, ResetWindow); err != nil {
		return err
	}
	send := func(ctx context.Context, to, code string) error {
		return sender.Send(ctx, to, sms.ResetText(lang, code, int(identity.SMSResetTTL/time.Minute)))
	}
	err := g.users.RequestSMSReset(c.UserContext(), phone, send)
	if err == nil || outage.Is(err) {
		return err
	}
	// Too soon, or the gateway refused: the answer must still be the one an unknown number gets.
	g.log.Warn("password reset code not sent", "err", err, "request_id", observe.RequestID(c))
	return nil
}

// Reset sets a new password with a reset code and ends every session of the person: whoever held
// the old password, or a session opened with it, is signed out.
// Errors: identity.ErrResetCode, identity.ErrInvalid (new_password), ErrRateLimited.
func (g *Guard) Reset(c *fiber.Ctx, phone, code, password string) error {
	if err := g.RateLimit(c, "reset:try:"+g.ClientIP(c), ResetTriesPerAddr, ResetWindow); err != nil {
		return err
	}
	u, err := g.users.ResetPassword(c.UserContext(), phone, code, password)
	if err != nil {
		return err
	}
	return g.sessions.DeleteAll(c.UserContext(), u.ID)
}
