package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/store"
)

// What a phone opens for each kind of code: a genuine acknowledgement is confirmed with the
// resident donor's name masked, an altered one is refused; member and pickup codes say they are for
// the scanner (and stay unspent); certificates are not issued yet; anything else is no code of ours.
func TestQRPageKinds(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	it, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "食用油", Category: "daily", Unit: "桶", Price: 60})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "qr-page-ack", store.NewDonation{
		Donor: store.Donor{Kind: store.DonorResident, Name: "张三丰", Phone: "13912345678"},
		Lines: []store.DonationLine{{Item: it.ID, Qty: 2, ValueFen: 12850}}})
	if err != nil {
		t.Fatal(err)
	}
	anyone := newBrowser(t, app)
	path := strings.TrimPrefix(ack.VerifyURL, d.Config.BaseURL)
	genuine := anyone.get(path)
	actWantPage(t, "a genuine acknowledgement", genuine, 200, `data-testid="receipt-genuine"`, ack.Number, "张**", "食用油",
		"¥128.50", store.AckNoticeZH)
	if strings.Contains(genuine.body, "张三丰") || strings.Contains(genuine.body, "5678") {
		t.Error("the public check shows the donor's name or phone")
	}
	forged := actAltered(path)
	actWantPage(t, "an altered acknowledgement", anyone.get(forged), 422, `data-testid="receipt-refused"`)

	vol := actSignIn(t, app, volunteer)
	member, err := d.Activities.MemberCode(principalID(t, w, volunteer))
	if err != nil {
		t.Fatal(err)
	}
	actWantPage(t, "a member code opened on a phone", vol.get("/q/"+member.Token), 200, `data-testid="qr-counter"`)
	codes := d.Codes
	pickup, _, err := codes.Issue(qr.Pickup, 1, w.sa.ID, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	actWantPage(t, "a pickup code opened on a phone", anyone.get("/q/"+pickup), 200, `data-testid="qr-counter"`)
	cert, _, err := codes.Issue(qr.Certificate, 7, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Certificates carry Ed25519 codes that open /c/: a code of this kind is none of them, and the page says where to check.
	actWantPage(t, "a certificate code", anyone.get("/q/"+cert), 200, `data-testid="qr-certificate"`, "/c/")
	for _, junk := range []string{"hello", "x" + strings.Repeat("A", 40), "%E4%BD%A0"} {
		actWantPage(t, "junk "+junk, anyone.get("/q/"+junk), 400, `data-testid="qr-unknown"`)
	}
	// The member code was only looked at: the kiosk can still scan it once.
	f := actFixturesOf(t, w)
	res, err := d.Activities.ScanMember(ctx, &who.Principal{DeviceID: 1}, f.act[0], activity.Scan{Token: member.Token})
	if err != nil || res.Action != activity.ActionCheckedIn {
		t.Errorf("scanning the member code after the page: %+v %v", res, err)
	}
	// A kiosk code whose activity is gone, and one signed by nobody, are refused on the page itself.
	gone, _, err := codes.Issue(qr.CheckIn, 1<<40, 0, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	actWantPage(t, "a code of no activity", vol.get("/q/"+gone), 404, `data-action="activity-not-found"`)
	actWantPage(t, "a forged kiosk code", vol.get("/q/"+actAltered(gone)), 422, `data-action="token-invalid"`)
}

// actAltered changes one character inside a token's signature (the fifth from the end: every bit
// of it is the MAC's), as a forger editing a code would.
func actAltered(token string) string {
	i := len(token) - 5
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}
