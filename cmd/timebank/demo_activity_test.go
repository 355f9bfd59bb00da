package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/certificate"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/pkg/servicedesk"
	"timebank/pkg/store"
)

// TestDemoTwice loads the demo into a fresh database twice: the second run must change no row of
// any table, the books must verify, and the activities must show what the demo promises (a queue
// with one activity due soon, a duty running now with a live code, verified records and sign-ups
// for the demo volunteer).
func TestDemoTwice(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	if err := demo(ctx, d, io.Discard); err != nil {
		t.Fatal(err)
	}
	first := tableDigests(t, d)
	if err := demo(ctx, d, io.Discard); err != nil {
		t.Fatalf("second run: %v", err)
	}
	for table, digest := range tableDigests(t, d) {
		if digest != first[table] {
			t.Errorf("the second run changed table %s", table)
		}
	}
	if err := verify(ctx, d, io.Discard); err != nil {
		t.Errorf("verify after the demo: %v", err)
	}

	world, err := demoOrganizations(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	// The care board of 东山社区: one person of each colour, none visited yet, the first volunteer
	// paired with the red one, and the team's 幸福管家 desk.
	board, err := d.Care.Board(ctx, world.community.Code)
	if err != nil || len(board.Cards) != 3 || len(board.Communities) != 1 || board.Communities[0].Red != 1 || board.Cards[0].LastVisitAt != nil {
		t.Errorf("the demo's care board: %+v %v", board, err)
	}
	wang, err := d.Users.ByPhone(ctx, demoPeople[0].phone)
	if err != nil {
		t.Fatal(err)
	}
	visits, err := d.Care.VisitList(ctx, wang.ID, []int64{world.team.ID})
	if err != nil || len(visits) != 1 || visits[0].Colour != "red" {
		t.Errorf("the first volunteer's visits: %+v %v", visits, err)
	}
	if desks, err := d.ServiceDesk.Desks(ctx, world.team.ID); err != nil || len(desks) != 1 {
		t.Errorf("the team's desks: %+v %v", desks, err)
	}
	// Its dispatch queue: one request waiting, one taken, one confirmed and rated with a published comment.
	reqs, err := d.ServiceDesk.List(ctx, servicedesk.ListQuery{OrgIDs: []int64{world.team.ID}}, servicedesk.Viewer{Coordinator: true})
	var got []string
	for _, r := range reqs {
		got = append(got, r.Status)
	}
	if err != nil || strings.Join(got, " ") != "submitted accepted confirmed" {
		t.Errorf("the desk's requests, newest first: %v %v", got, err)
	}
	if st, err := d.ServiceDesk.Standing(ctx, world.team.ID); err != nil || st.Total.Count != 1 || st.Total.AverageTenths != 50 || len(st.Comments) != 1 {
		t.Errorf("the team's standing: %+v %v", st, err)
	}
	pending := map[string]string{}
	for _, orgID := range []int64{world.assoc.ID, world.team.ID} {
		ps, err := d.Activities.PendingActivities(ctx, orgID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			pending[p.Title] = p.Due
		}
	}
	if pending["垃圾分类桶边督导"] != "due_soon" || pending["反诈宣传进社区"] != "ok" || pending["长者助餐点送餐"] != "ok" || len(pending) != 3 {
		t.Errorf("pending activities and their deadlines: %v", pending)
	}

	page, err := d.Activities.Activities(ctx, activity.ListQuery{OrgIDs: []int64{world.assoc.ID}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(page.Items, func(a activity.Activity) bool { return a.Title == "新时代文明实践站值班" })
	if i < 0 {
		t.Fatalf("no duty running now among %d open activities", len(page.Items))
	}
	if _, err := d.Activities.KioskCode(ctx, page.Items[i].ID, false); err != nil {
		t.Errorf("the running duty's kiosk code: %v", err)
	}
	q, err := d.Activities.Attendances(ctx, page.Items[i].ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 2 || q.Items[0].Status != activity.StatusOpen || q.Items[1].Status != activity.StatusOpen {
		t.Errorf("the duty's attendances: %+v", q.Items)
	}

	recs, err := d.Activities.MyRecords(ctx, wang.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, r := range recs.Items {
		statuses[r.Status]++
	}
	// Seven from activities and one from the 幸福管家 request she did and its resident confirmed.
	if statuses[activity.MyVerified] != 8 || statuses[activity.MyPending] != 2 || recs.VerifiedMinutes <= 0 {
		t.Errorf("王秀英's records by status %v, verified minutes %d", statuses, recs.VerifiedMinutes)
	}
	signups, err := d.Activities.MySignups(ctx, wang.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(signups) != 3 {
		t.Errorf("王秀英 signed up for %d upcoming activities, want 3 (two meal rounds and the clinic)", len(signups))
	}
}

// tableDigests returns a digest of every row of every table of the schema, by table.
func tableDigests(t *testing.T, d *app.Services) map[string]string {
	t.Helper()
	var tables []string
	if err := d.DB.Select(&tables, `SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		var digest string
		// The table names come from the catalogue, not from input.
		if err := d.DB.Get(&digest, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
FROM "`+table+`" r`); err != nil {
			t.Fatal(err)
		}
		out[table] = digest
	}
	return out
}

// demoDeps are the commands' dependencies on a fresh database and Redis namespace, in the default
// (development) configuration.
func demoDeps(t *testing.T) *app.Services {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisPrefix = prefix
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.New(cfg, discard, db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// verify finds what breaks the store's and the recording service's invariants, not only the
// ledger's: a lot whose stock no longer equals its journal, a verified attendance without record.
func TestVerifySeesBeyondTheLedger(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	if err := demo(ctx, d, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := verify(ctx, d, &out); err != nil {
		t.Fatalf("verify after the demo: %v\n%s", err, out.String())
	}
	for _, c := range slices.Concat(store.Checks, activity.Checks, certificate.Checks) {
		if !strings.Contains(out.String(), "checked: "+c.Name) {
			t.Errorf("verify did not report %q", c.Name)
		}
	}
	// Tampering as someone with the tables' keys would: their guarding triggers off.
	tamper := []struct{ table, q string }{
		{"store_lots", `UPDATE store_lots SET on_hand = on_hand + 1 WHERE id = (SELECT min(id) FROM store_lots)`},
		{"attendances", `UPDATE attendances SET status = 'verified', decided_at = now(), decided_by = 'operator' WHERE id = (SELECT min(t.id) FROM attendances t
		 WHERE t.status = 'closed' AND NOT EXISTS (SELECT FROM service_records r WHERE r.attendance_id = t.id))`},
	}
	for _, tm := range tamper {
		tx := d.DB.MustBegin()
		tx.MustExec(`ALTER TABLE ` + tm.table + ` DISABLE TRIGGER USER`)
		if res, err := tx.ExecContext(ctx, tm.q); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s changed %d rows", tm.q, n)
		}
		tx.MustExec(`ALTER TABLE ` + tm.table + ` ENABLE TRIGGER USER`)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	out.Reset()
	if err := verify(ctx, d, &out); !errors.Is(err, errFailed) {
		t.Fatalf("verify of tampered books: %v\n%s", err, out.String())
	}
	for _, want := range []string{"on hand", "is verified with 0 records"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify did not name %q:\n%s", want, out.String())
		}
	}
}
