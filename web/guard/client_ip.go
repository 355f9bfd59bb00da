package guard

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// ClientIP is the address that rate limits count by: the connection's peer, or, when the peer is a
// trusted reverse proxy (TIMEBANK_TRUSTED_PROXIES), the nearest address in X-Forwarded-For that is
// not a trusted proxy. Proxies append what they saw, so entries left of that one were written by
// the client itself and are not believed; a malformed entry stops the walk at the proxy before it.
// Without trusted proxies the header is ignored, as a client could set it to anything.
func (g *Guard) ClientIP(c *fiber.Ctx) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.IP()
	}
	peer = peer.Unmap()
	if !g.trustedProxy(peer) {
		return peer.String()
	}
	var hops []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(h), ",")...)
	}
	ip := peer
	for i := len(hops) - 1; i >= 0 && g.trustedProxy(ip); i-- {
		next, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		ip = next.Unmap()
	}
	return ip.String()
}

func (g *Guard) trustedProxy(a netip.Addr) bool {
	for _, p := range g.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
