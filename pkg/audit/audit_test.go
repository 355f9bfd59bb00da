package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/lib/pq"

	"timebank/pkg/audit"
)

func TestRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.regions(t, "330000", "330400", "330481", "330481001000")
	o := e.org(t, "330481001000", 0)
	s := e.store(t, o.ID)
	ctx := audit.WithRequestID(context.Background(), "req-1")

	// An entry about a store, naming only the store: its organization and region are filled in.
	type grant struct {
		Role  string `json:"role"`
		Phone string `json:"phone"`
	}
	err := audit.Record(ctx, e.db, audit.Entry{
		Actor: "user:3", Action: "role.grant", Target: "user:9", StoreID: s.ID,
		After: grant{Role: "clerk", Phone: "13800138000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The request id given wins over the context's; an entry without a place stays without one.
	if err := audit.Record(ctx, e.db, audit.Entry{Actor: "operator", Action: "ledger.adjust", Target: "tx:5", RequestID: "req-2"}); err != nil {
		t.Fatal(err)
	}
	list, err := audit.List(context.Background(), e.db, audit.Filter{Scopes: []audit.Scope{{Kind: audit.ScopePlatform}}, Limit: 2})
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	adjust, grantEntry := list[0], list[1]
	if adjust.RequestID != "req-2" || adjust.RegionCode != "" || adjust.OrgID != 0 || adjust.StoreID != 0 || adjust.Before != nil || adjust.After != nil {
		t.Errorf("adjust entry = %+v", adjust)
	}
	if grantEntry.RequestID != "req-1" || grantEntry.StoreID != s.ID || grantEntry.OrgID != o.ID ||
		grantEntry.RegionCode != "330481001000" || grantEntry.Actor != "user:3" || grantEntry.At.IsZero() {
		t.Errorf("grant entry = %+v", grantEntry)
	}
	var after grant
	if err := json.Unmarshal(grantEntry.After.(json.RawMessage), &after); err != nil {
		t.Fatal(err)
	}
	if after.Role != "clerk" || after.Phone != "138****8000" {
		t.Errorf("after = %+v: the phone number must be masked", after)
	}
	if adjust.ID <= grantEntry.ID {
		t.Errorf("not newest first: %d then %d", adjust.ID, grantEntry.ID)
	}

	// Malformed entries are refused before anything is written.
	before := count(t, e)
	for _, bad := range []audit.Entry{
		{Action: "org.create", Target: "org:1"},
		{Actor: "user:1", Action: "create", Target: "org:1"},
		{Actor: "user:1", Action: "Org.Create", Target: "org:1"},
		{Actor: "user:1", Action: "org.create"},
		{Actor: "user:1", Action: "org.create", Target: "org:1", RegionCode: "330481"},
		{Actor: "user:1", Action: "org.create", Target: "org:1", OrgID: -1},
	} {
		if err := audit.Record(ctx, e.db, bad); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("Record(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := audit.Record(ctx, e.db, audit.Entry{Actor: "user:1", Action: "org.create", Target: "org:1", After: func() {}}); err == nil {
		t.Error("an After that cannot be marshalled was accepted")
	}
	if n := count(t, e); n != before {
		t.Errorf("refused entries wrote %d rows", n-before)
	}
}

func count(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

// The log is append-only: PostgreSQL refuses to change or remove an entry, by any statement.
func TestAppendOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.regions(t, "330000")
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE audit_log SET actor = 'user:666'`,
		`UPDATE audit_log SET after = NULL WHERE action = 'region.create'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE target = 'region:330000000000'`,
		`TRUNCATE audit_log`,
	} {
		_, err := e.db.ExecContext(ctx, stmt)
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != "TB009" {
			t.Errorf("%s: %v, want SQLSTATE TB009", stmt, err)
		}
	}
	var actor string
	var n int
	if err := e.db.QueryRowContext(ctx, `SELECT count(*), min(actor) FROM audit_log`).Scan(&n, &actor); err != nil {
		t.Fatal(err)
	}
	if n != 1 || actor != "operator" {
		t.Errorf("log now holds %d entries by %q, want the one by operator", n, actor)
	}
}
