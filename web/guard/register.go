package guard

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/identity"
	"timebank/pkg/outage"
	"timebank/pkg/sms"
	"timebank/web/observe"
)

// Limits of self-registration, on top of RegistrationsPerAddr: codes asked per address (one machine
// cannot walk through numbers) and per number (many cannot flood one person with messages), and
// registrations tried per number (six digits are not guessed in five tries).
const (
	RegistrationCodesPerAddr  = 10
	RegistrationCodesPerPhone = 3
	RegistrationTriesPerPhone = 5
)

// RequestRegistrationCode sends the number its registration code by SMS, in the language of the
// request, or, when the number is registered already, a message telling its owner that someone
// tried and how to reset the password. The answer is the same either way: only the number's holder
// learns whether it is registered. Only a malformed number, a service with no SMS at all, a limit
// reached or an outage is an error, and each is the same for every number.
// Errors: identity.ErrInvalid (phone), sms.ErrNotConfigured, ErrRateLimited, and outages.
func (g *Guard) RequestRegistrationCode(c *fiber.Ctx, phone, lang string, sender sms.Sender) error {
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		return fields.New(identity.ErrInvalid, "phone", "phone_invalid")
	}
	if !sms.Enabled(sender) {
		return sms.ErrNotConfigured
	}
	if err := g.RateLimit(c, "reg:code:addr:"+g.ClientIP(c), RegistrationCodesPerAddr, RegistrationWindow); err != nil {
		return err
	}
	if err := g.RateLimit(c, "reg:code:phone:"+p, RegistrationCodesPerPhone, RegistrationWindow); err != nil {
		return err
	}
	taken, err := g.users.Registered(c.UserContext(), p)
	if err != nil {
		return err
	}
	text := sms.RegistrationText(lang, g.users.RegistrationCode(p, time.Now()), int(identity.RegistrationCodeTTL/time.Minute))
	if taken {
		text = sms.RegistrationTakenText(lang, g.cfg.BaseURL+"/password/forgot")
	}
	if err := sender.Send(c.UserContext(), p, text); err != nil && !outage.Is(err) {
		// The gateway refused: the answer must still be the one every number gets.
		g.log.Warn("registration message not sent", "err", err, "request_id", observe.RequestID(c))
	}
	return nil
}

// Register registers the person who holds the number: the registration is checked whole first
// (a form says everything at once), then counted per address and per number, then its code must
// be the number's (a registered number is sent no code, so it is refused as any wrong code is).
// Errors: identity.ErrInvalid, identity.ErrRegistrationCode, ErrRateLimited, and those of
// identity.Users.Register (ErrPhoneTaken reaches only the number's holder, who has its code).
func (g *Guard) Register(c *fiber.Ctx, r identity.Registration) (identity.User, error) {
	if err := r.Check(); err != nil {
		return identity.User{}, err
	}
	if err := g.RateLimit(c, "reg:"+g.ClientIP(c), RegistrationsPerAddr, RegistrationWindow); err != nil {
		return identity.User{}, err
	}
	p, _ := identity.NormalizePhone(r.Phone) // Check accepted it
	if err := g.RateLimit(c, "reg:try:"+p, RegistrationTriesPerPhone, RegistrationWindow); err != nil {
		return identity.User{}, err
	}
	if err := g.users.CheckRegistrationCode(p, r.Code, time.Now()); err != nil {
		return identity.User{}, err
	}
	return g.users.Register(c.UserContext(), r)
}
