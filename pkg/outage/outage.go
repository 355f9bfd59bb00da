// Package outage tells an outage of PostgreSQL or Redis (refused, reset or closed connections, a
// server shutting down, starting up or out of resources) from an error of the request itself, so
// that the edge answers 503 with Retry-After to what a retry can fix and keeps 500 for bugs.
package outage

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Is reports whether err comes from a database or cache that is down, restarting or overloaded
// rather than from what the request asked.
func Is(err error) bool {
	if err == nil {
		return false
	}
	var (
		pe *pq.Error
		ne net.Error
		re redis.Error
	)
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne),
		errors.Is(err, redis.ErrClosed), errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrPoolExhausted):
		return true
	case errors.As(err, &pe):
		return serverUnavailable(string(pe.Code))
	case errors.As(err, &re):
		return redisUnavailable(re.Error())
	}
	return false
}

// serverUnavailable reports whether a SQLSTATE says the server, not the statement, failed:
// connection exceptions (08), insufficient resources (53: too many connections, disk full), an
// operator's or a crash's shutdown and a server not yet accepting connections (57P01–57P05), and
// system errors such as I/O failures (58); or that it ended the transaction to let others go on
// (40001 serialization failure, 40P01 deadlock), which the same request sent again may pass.
func serverUnavailable(code string) bool {
	switch {
	case code == "40001", code == "40P01":
		return true
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "58"):
		return true
	case strings.HasPrefix(code, "57P"):
		return true
	}
	return false
}

// redisUnavailable reports whether a Redis error reply says the server cannot serve yet: loading
// its data set, a replica without its master, a cluster without all its slots, or a slot moving.
func redisUnavailable(msg string) bool {
	for _, p := range []string{"LOADING ", "MASTERDOWN ", "CLUSTERDOWN ", "TRYAGAIN ", "BUSY "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
