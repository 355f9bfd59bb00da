// Package audit keeps the log of privileged writes: who created a region, an organization or a
// store, granted or revoked a role, issued or revoked a device token, or operated the ledger by hand.
// An entry is written in the same transaction as the change it describes, so there is never a
// change without its entry nor an entry for a change that rolled back. PostgreSQL refuses UPDATE,
// DELETE and TRUNCATE on the table: the log is append-only.
//
// Readers see the entries their grants cover (see List). The package depends on no other package
// of the service, so that every domain package can record into it.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Errors of the audit log.
var (
	// ErrInvalid means an entry lacks its actor, action or target, or has a malformed one. It is a
	// programming error of the caller, never the user's.
	ErrInvalid = errors.New("audit: invalid entry")
)

// Entry is one privileged write. Before and After are what changed, marshalled to JSON; they must
// never hold a resident ID number or a full phone number (Record masks any it finds, as a safety
// net, but callers should not rely on it).
//
// RegionCode, OrgID and StoreID place the entry in the region and organization trees, which decides
// who may read it. An entry about a store or an organization may leave the fields above it zero:
// Record fills the store's organization and the organization's region in.
type Entry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`  // the principal's label: "user:42", "device:7", "operator"
	Action     string    `json:"action"` // dotted lower-case words: "org.create", "role.grant"
	Target     string    `json:"target"` // the thing acted on: "org:7", "region:330481001000"
	RegionCode string    `json:"region_code,omitempty"`
	OrgID      int64     `json:"org_id,omitempty"`
	StoreID    int64     `json:"store_id,omitempty"`
	Before     any       `json:"before,omitempty"` // on read: a json.RawMessage, or nil
	After      any       `json:"after,omitempty"`  // on read: a json.RawMessage, or nil
	RequestID  string    `json:"request_id,omitempty"`
}

// actionPattern is the database's audit_log_action check, repeated so that a bad action fails with
// a clear error before the statement runs.
var actionPattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

// validate checks what the caller must always give.
func (e *Entry) validate() error {
	switch {
	case e.Actor == "" || len(e.Actor) > 100 || !utf8.ValidString(e.Actor):
		return fmt.Errorf("%w: actor %q", ErrInvalid, e.Actor)
	case !actionPattern.MatchString(e.Action) || len(e.Action) > 100:
		return fmt.Errorf("%w: action %q", ErrInvalid, e.Action)
	case e.Target == "" || len(e.Target) > 200 || !utf8.ValidString(e.Target):
		return fmt.Errorf("%w: target %q", ErrInvalid, e.Target)
	case e.RegionCode != "" && !validRegionCode(e.RegionCode):
		return fmt.Errorf("%w: region code %q", ErrInvalid, e.RegionCode)
	case e.OrgID < 0 || e.StoreID < 0 || len(e.RequestID) > 200 || !utf8.ValidString(e.RequestID):
		return fmt.Errorf("%w: org, store or request id", ErrInvalid)
	}
	return nil
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the request being served. Record writes it
// into every entry that names none, so the web layer sets it once per request and no domain package
// has to pass it along.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// Record appends the entry inside the caller's transaction (q is the *sqlx.Tx of the change; a
// *sqlx.DB records outside any). ID and At are set by the database; RequestID, when empty, comes
// from the context (see WithRequestID).
// Errors: ErrInvalid.
func Record(ctx context.Context, q sqlx.ExtContext, e Entry) error {
	if e.RequestID == "" {
		e.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	}
	if err := e.validate(); err != nil {
		return err
	}
	before, err := marshal(e.Before)
	if err != nil {
		return fmt.Errorf("audit: before: %w", err)
	}
	after, err := marshal(e.After)
	if err != nil {
		return fmt.Errorf("audit: after: %w", err)
	}
	// The store's organization and the organization's region are looked up when not given, so that
	// every entry is visible to the readers above the thing it is about.
	const stmt = `
WITH s AS (SELECT org_id FROM stores WHERE id = $6),
o AS (SELECT region_code FROM organizations WHERE id = coalesce($5, (SELECT org_id FROM s)))
INSERT INTO audit_log (actor, action, target, region_code, org_id, store_id, before, after, request_id)
VALUES ($1, $2, $3, coalesce($4, (SELECT region_code FROM o)), coalesce($5, (SELECT org_id FROM s)), $6,
        $7, $8, $9)`
	_, err = q.ExecContext(ctx, stmt, e.Actor, e.Action, e.Target, nullText(e.RegionCode),
		nullID(e.OrgID), nullID(e.StoreID), before, after, e.RequestID)
	return err
}

// marshal turns a Before or After value into masked JSON text, or NULL for nil.
func marshal(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	b, err = maskJSON(b)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
