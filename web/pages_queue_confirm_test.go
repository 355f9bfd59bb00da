package web

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// A refused row decision keeps its row open. Approving a batch that holds a flagged row (the phone was outside the activity's area) asks once
// more and decides nothing; the confirmation approves them all. A batch without flags, or a single
// row, is approved at once.
func TestQueueConfirmsFlaggedBatch(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	clk.Set(time.Now().Truncate(time.Minute))
	lat, lng, radius := 30.5275, 120.6892, 300
	as, err := d.Activities.CreateActivities(ctx, &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: w.a.ID, Title: "河道清洁", Content: "清理河岸", Category: "environment", Address: "洛塘河东岸",
		StartsAt: clk.Now().Add(-5 * time.Minute), EndsAt: clk.Now().Add(3 * time.Hour), LeaderName: "王队长",
		Latitude: &lat, Longitude: &lng, RadiusM: &radius})
	if err != nil {
		t.Fatal(err)
	}
	act := as[0]
	near, far := activity.Position{Lat: 30.5276, Lng: 120.6893}, activity.Position{Lat: 31.2304, Lng: 121.4737}
	scan := func(userID int64, out bool, pos activity.Position) {
		code, err := d.Activities.KioskCode(ctx, act.ID, out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Activities.ScanKiosk(ctx, userID, activity.Scan{Token: code.Token, Position: &pos}); err != nil {
			t.Fatal(err)
		}
	}
	scan(w.users[volunteer], false, near)
	scan(w.spare.ID, false, near)
	clk.Set(clk.Now().Add(90 * time.Minute))
	scan(w.users[volunteer], true, near)
	scan(w.spare.ID, true, far)

	coord := actSignIn(t, app, coordA)
	path := "/activities/" + id(act.ID)
	ids := regexp.MustCompile(`id="pick-(\d+)" data-testid`).FindAllStringSubmatch(coord.get(path+"/queue").body, -1)
	if len(ids) != 2 {
		t.Fatalf("the queue offers %d to pick, want 2", len(ids))
	}
	// A row's own adjustment without a reason comes back open on that row, with the minutes typed
	// and the message beside the reason, which the summary links to.
	row := ids[0][1]
	actWantPage(t, "an adjustment without a reason", coord.submit(path+"/verify",
		url.Values{"ids": {row}, "row": {"1"}, "action": {"adjust"}, "minutes": {"75"}, "reason": {" "}}), 422,
		`id="decide-`+row+`" open`, `id="f-minutes-`+row+`" maxlength="4" value="75"`, `href="#f-reason-`+row+`"`,
		`id="f-reason-`+row+`-error"`)
	batch := url.Values{"ids": {ids[0][1], ids[1][1]}, "action": {"approve"}}
	actWantPage(t, "a batch with a flagged row", coord.submit(path+"/verify", batch), 409,
		`data-testid="confirm-batch"`, "所选 2 条中有 1 条需要核实", "候补", `name="confirm" value="1"`)
	var records int
	if err := d.DB.Get(&records, `SELECT count(*) FROM service_records`); err != nil || records != 0 {
		t.Fatalf("decided before the confirmation: %d records (%v)", records, err)
	}
	batch.Set("confirm", "1")
	actFollow(t, coord, "confirmed", coord.submit(path+"/verify", batch), path+"/queue?done=approve&n=2")
	if err := d.DB.Get(&records, `SELECT count(*) FROM service_records`); err != nil || records != 2 {
		t.Fatalf("after the confirmation: %d records (%v)", records, err)
	}
}
