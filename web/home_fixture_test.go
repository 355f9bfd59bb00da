package web

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/certificate"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
)

// homeFixture is what waits in organization A and store SA for the home page's tests: an activity
// of Monday 10 March 2025 with two attendances, one approved (its record disputed, and a
// certificate asked for on it) and one waiting; an activity a month later the volunteer signed up
// for; an item of the store without stock under its low-stock threshold. The activities' clock is
// left at the end of the first activity's scans.
type homeFixture struct {
	past, coming activity.Activity
	record       activity.Record
	lead         *who.Principal
	rice         store.Item // no stock, under its threshold

}

func newHomeFixture(t *testing.T, d services, clk *actClock, w *world) homeFixture {
	t.Helper()
	ctx := context.Background()
	f := homeFixture{lead: &who.Principal{Name: "王队长"}}
	newActivity := func(title string, starts time.Time) activity.Activity {
		t.Helper()
		as, err := d.Activities.CreateActivities(ctx, f.lead, activity.NewActivity{OrgID: w.a.ID, Title: title,
			Content: "清理河岸", Category: "environment", Address: "洛塘河东岸", StartsAt: starts,
			EndsAt: starts.Add(3 * time.Hour), LeaderName: "王队长"})
		if err != nil {
			t.Fatal(err)
		}
		return as[0]
	}
	f.past = newActivity("河道清洁", actDay) // records due by the end of 24 March
	f.coming = newActivity("敬老院探访", actDay.AddDate(0, 1, 0))
	vol := w.users[volunteer]
	if _, _, err := d.Activities.SignUp(ctx, f.coming.ID, vol); err != nil {
		t.Fatal(err)
	}
	scan := func(userID int64, out bool) activity.Attendance {
		t.Helper()
		code, err := d.Activities.KioskCode(ctx, f.past.ID, out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Activities.ScanKiosk(ctx, userID, activity.Scan{Token: code.Token})
		if err != nil {
			t.Fatal(err)
		}
		return res.Attendance
	}
	clk.Set(actDay.Add(10 * time.Minute))
	scan(vol, false)
	scan(w.spare.ID, false)
	clk.Set(actDay.Add(100 * time.Minute))
	att := scan(vol, true)
	scan(w.spare.ID, true)
	res, err := d.Activities.Verify(ctx, f.lead, activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove})
	if err != nil || res[0].Record == nil {
		t.Fatalf("approve: %+v %v", res, err)
	}
	f.record = *res[0].Record
	if _, err := d.Certificates.Apply(ctx, &who.Principal{UserID: vol, Name: "志愿者"},
		certificate.NewRequest{UserID: vol, OrgID: w.a.ID, Purpose: certificate.PurposeSchool}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Activities.Dispute(ctx, vol, f.record.ID, "少记了半小时"); err != nil {
		t.Fatal(err)
	}
	if f.rice, err = d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "五常大米", Category: "grain_oil",
		Unit: "袋", Price: 90, LowStock: 2}); err != nil {
		t.Fatal(err)
	}
	return f
}
