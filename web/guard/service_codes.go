package guard

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
	"timebank/pkg/sms"
)

// ServiceCodesPerAddr is how many one-time codes of services to residents (to ask for a service, or
// to confirm one done) one address may have sent in ResetWindow; each number's own limits are the
// desk's (servicedesk.RequestCode).
const ServiceCodesPerAddr = 20

// ServiceCodeSender counts a code about to be sent from the request's address and returns what
// sends it by SMS in lang: the one way the API and the pages send residents their codes.
// Errors: sms.ErrNotConfigured, ErrRateLimited, and outages.
func (g *Guard) ServiceCodeSender(c *fiber.Ctx, sender sms.Sender, lang string) (servicedesk.SendFunc, error) {
	if !sms.Enabled(sender) {
		return nil, sms.ErrNotConfigured
	}
	if err := g.RateLimit(c, "service-code:addr:"+g.ClientIP(c), ServiceCodesPerAddr, ResetWindow); err != nil {
		return nil, err
	}
	return func(ctx context.Context, phone, code string) error {
		return sender.Send(ctx, phone, sms.ServiceText(lang, code, int(servicedesk.CodeTTL.Minutes())))
	}, nil
}
