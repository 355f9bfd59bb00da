// Package guard decides who is asking and whether they may: authentication (session cookies,
// bearer tokens, devices), the rule of every route, anti-forgery tokens, sign-in and its limits,
// and the client's address behind trusted proxies. It imports no handler: the API and the pages
// register their routes with its rules, and the assembly puts Authenticate in front of them all.
package guard

import (
	"log/slog"

	"github.com/redis/go-redis/v9"

	"timebank/pkg/config"
	"timebank/pkg/identity"
	"timebank/pkg/session"
)

// Guard holds what authentication and its limits need.
type Guard struct {
	cfg            config.Config
	rdb            redis.UniversalClient
	users          *identity.Users
	sessions       *session.Store
	deviceSessions *session.DeviceSessions
	limiter        *session.Limiter
	signInGuard    *session.SignInGuard
	log            *slog.Logger
}

// New builds the guard over the service's configuration, Redis, people and sessions.
func New(cfg config.Config, rdb redis.UniversalClient, users *identity.Users, sessions *session.Store,
	devices *session.DeviceSessions, limiter *session.Limiter, signIn *session.SignInGuard, log *slog.Logger) *Guard {
	return &Guard{cfg: cfg, rdb: rdb, users: users, sessions: sessions, deviceSessions: devices, limiter: limiter,
		signInGuard: signIn, log: log}
}
