// Package config reads the service's configuration from TIMEBANK_* environment variables, with
// defaults that work on a developer's machine.
package config

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DevSecret is the signing secret used in development when TIMEBANK_SECRET is not set. Production
// refuses to start with it.
const DevSecret = "dev-secret-change-me-dev-secret-change-me"

// MinSecretLen is the shortest secret production accepts (32 bytes of key material).
const MinSecretLen = 32

// Config is the whole configuration.
type Config struct {
	Env           string        // TIMEBANK_ENV: "development" (default) or "production"
	Addr          string        // TIMEBANK_ADDR: listen address, "127.0.0.1:8080" (loopback unless configured)
	BaseURL       string        // TIMEBANK_BASE_URL: public URL, used in QR codes and links
	DatabaseURL   string        // TIMEBANK_DATABASE_URL
	DBMaxConns    int           // TIMEBANK_DB_MAX_CONNS: PostgreSQL pool size, 32
	RedisURL      string        // TIMEBANK_REDIS_URL: redis://host:port/db; several host:port, comma separated, or addr= in the URL, for a cluster
	RedisPrefix   string        // TIMEBANK_REDIS_PREFIX: prefix of every Redis key, "tb:"
	Secret        string        // TIMEBANK_SECRET: signs tokens and QR codes
	OperatorToken string        // TIMEBANK_OPERATOR_TOKEN: bearer token of the operator; none unless set
	AutoMigrate   bool          // TIMEBANK_AUTO_MIGRATE: migrate at start-up
	LogLevel      slog.Level    // TIMEBANK_LOG_LEVEL: debug, info, warn, error
	LogFormat     string        // TIMEBANK_LOG_FORMAT: "text" or "json" (production default)
	RelayEvery    time.Duration // TIMEBANK_RELAY_EVERY: how often the outbox relay runs, 1s
	ExpireEvery   time.Duration // TIMEBANK_EXPIRE_EVERY: how often expired holds are released, 5s
	ShutdownGrace time.Duration // TIMEBANK_SHUTDOWN_GRACE: how long in-flight requests may finish, 15s
	// DatabaseReplicaURL is a PostgreSQL streaming replica that reports and exports read from
	// (TIMEBANK_DATABASE_REPLICA_URL); none: they read from the primary.
	DatabaseReplicaURL string
	// TrustedProxies are the reverse proxies (addresses or CIDR prefixes, TIMEBANK_TRUSTED_PROXIES,
	// comma separated) whose X-Forwarded-For is believed; none by default.
	TrustedProxies []netip.Prefix
	MetricsToken   string // TIMEBANK_METRICS_TOKEN: the scraper's bearer token for /metrics on the main address
	MetricsAddr    string // TIMEBANK_METRICS_ADDR: a second listen address that serves /metrics alone, without a token
	SMSURL         string // TIMEBANK_SMS_URL: the SMS gateway (POST {phone, text}); empty: the log in development, none in production
	SMSToken       string // TIMEBANK_SMS_TOKEN: the gateway's bearer token
}

// Production says whether the service runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Env:           get("TIMEBANK_ENV", "development"),
		Addr:          get("TIMEBANK_ADDR", "127.0.0.1:8080"),
		BaseURL:       strings.TrimRight(get("TIMEBANK_BASE_URL", "http://localhost:8080"), "/"),
		DatabaseURL:   get("TIMEBANK_DATABASE_URL", "postgres://timebank:timebank@127.0.0.1:5432/timebank?sslmode=disable"),
		RedisURL:      get("TIMEBANK_REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix:   get("TIMEBANK_REDIS_PREFIX", "tb:"),
		Secret:        getenv("TIMEBANK_SECRET"),
		OperatorToken: getenv("TIMEBANK_OPERATOR_TOKEN"),
		MetricsToken:  getenv("TIMEBANK_METRICS_TOKEN"),
		MetricsAddr:   getenv("TIMEBANK_METRICS_ADDR"),
		SMSURL:        getenv("TIMEBANK_SMS_URL"),
		SMSToken:      getenv("TIMEBANK_SMS_TOKEN"),
	}
	c.DatabaseReplicaURL = strings.TrimSpace(getenv("TIMEBANK_DATABASE_REPLICA_URL"))
	var errs []error
	c.DBMaxConns = intVar(get("TIMEBANK_DB_MAX_CONNS", "32"), "TIMEBANK_DB_MAX_CONNS", &errs)
	c.TrustedProxies = prefixesVar(getenv("TIMEBANK_TRUSTED_PROXIES"), "TIMEBANK_TRUSTED_PROXIES", &errs)
	c.AutoMigrate = boolVar(get("TIMEBANK_AUTO_MIGRATE", "false"), "TIMEBANK_AUTO_MIGRATE", &errs)
	c.RelayEvery = durVar(get("TIMEBANK_RELAY_EVERY", "1s"), "TIMEBANK_RELAY_EVERY", &errs)
	c.ExpireEvery = durVar(get("TIMEBANK_EXPIRE_EVERY", "5s"), "TIMEBANK_EXPIRE_EVERY", &errs)
	c.ShutdownGrace = durVar(get("TIMEBANK_SHUTDOWN_GRACE", "15s"), "TIMEBANK_SHUTDOWN_GRACE", &errs)
	if err := c.LogLevel.UnmarshalText([]byte(get("TIMEBANK_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("TIMEBANK_LOG_LEVEL: %w", err))
	}
	defFormat := "text"
	if c.Production() {
		defFormat = "json"
	}
	c.LogFormat = get("TIMEBANK_LOG_FORMAT", defFormat)

	switch c.Env {
	case "development", "production":
	default:
		errs = append(errs, fmt.Errorf("TIMEBANK_ENV must be development or production, not %q", c.Env))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TIMEBANK_LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("TIMEBANK_BASE_URL must be an absolute http(s) URL, not %q", c.BaseURL))
	}
	if strings.ContainsAny(c.RedisPrefix, "{}") {
		// On a Redis Cluster a hash tag in the prefix would put every key in one slot.
		errs = append(errs, fmt.Errorf("TIMEBANK_REDIS_PREFIX must not contain { or }, not %q", c.RedisPrefix))
	}
	if c.DBMaxConns < 2 {
		errs = append(errs, errors.New("TIMEBANK_DB_MAX_CONNS must be at least 2"))
	}
	if c.Production() {
		switch {
		case c.Secret == "":
			errs = append(errs, errors.New("TIMEBANK_SECRET is required in production"))
		case len(c.Secret) < MinSecretLen || c.Secret == DevSecret || weak(c.Secret):
			errs = append(errs, fmt.Errorf("TIMEBANK_SECRET is too weak: use at least %d random characters (e.g. `openssl rand -hex 32`)", MinSecretLen))
		}
		if c.OperatorToken != "" && len(c.OperatorToken) < 24 {
			errs = append(errs, errors.New("TIMEBANK_OPERATOR_TOKEN must be at least 24 characters in production"))
		}
	} else {
		if c.Secret == "" {
			c.Secret = DevSecret
		}
		if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
			errs = append(errs, errors.New("TIMEBANK_METRICS_TOKEN must be at least 16 characters"))
		}
		if c.OperatorToken != "" && len(c.OperatorToken) < 16 {
			errs = append(errs, errors.New("TIMEBANK_OPERATOR_TOKEN must be at least 16 characters"))
		}
	}
	return c, errors.Join(errs...)
}

// weak refuses secrets with very few distinct characters ("aaaa…", "abab…").
func weak(s string) bool {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen) < 8
}

// prefixesVar reads comma-separated addresses (a single host) or CIDR prefixes.
func prefixesVar(s, name string, errs *[]error) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s: not an address or CIDR prefix: %q", name, f))
			continue
		}
		out = append(out, p.Masked())
	}
	return out
}

func intVar(s, name string, errs *[]error) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: not a number: %q", name, s))
	}
	return n
}

func boolVar(s, name string, errs *[]error) bool {
	b, err := strconv.ParseBool(s)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: not true/false: %q", name, s))
	}
	return b
}

func durVar(s, name string, errs *[]error) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		*errs = append(*errs, fmt.Errorf("%s: not a positive duration like 5s: %q", name, s))
	}
	return d
}

// LogValue prints the configuration with secrets masked, for the one start-up log line.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env), slog.String("addr", c.Addr), slog.String("base_url", c.BaseURL),
		slog.String("database_url", redactURL(c.DatabaseURL)), slog.String("database_replica_url", redactURL(c.DatabaseReplicaURL)), slog.Int("db_max_conns", c.DBMaxConns),
		slog.String("redis_url", redactURL(c.RedisURL)), slog.String("redis_prefix", c.RedisPrefix),
		slog.String("secret", mask(c.Secret)), slog.String("operator_token", mask(c.OperatorToken)),
		slog.Bool("auto_migrate", c.AutoMigrate), slog.String("log_level", c.LogLevel.String()),
		slog.Duration("relay_every", c.RelayEvery), slog.Duration("expire_every", c.ExpireEvery),
		slog.Any("trusted_proxies", c.TrustedProxies), slog.String("metrics_addr", c.MetricsAddr),
		slog.String("metrics_token", mask(c.MetricsToken)), slog.String("sms_url", redactURL(c.SMSURL)), slog.String("sms_token", mask(c.SMSToken)),
	)
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return fmt.Sprintf("(set, %d chars)", len(s))
}

func redactURL(raw string) string {
	var out []string
	for _, part := range strings.Split(raw, ",") {
		if u, err := url.Parse(part); err == nil && u.Scheme != "" {
			out = append(out, u.Redacted())
		} else {
			out = append(out, part)
		}
	}
	return strings.Join(out, ",")
}

// DeriveKey returns a key for one use of the secret (signing sessions, hashing ID numbers, QR codes
// …), so that no two uses share a key and a key that leaks from one use is worthless for another.
func (c Config) DeriveKey(label string) []byte {
	m := hmac.New(sha256.New, []byte(c.Secret))
	m.Write([]byte("timebank key: " + label))
	return m.Sum(nil)
}
