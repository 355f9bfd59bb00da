package web

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/gofiber/fiber/v2"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
)

// Residents' service codes are counted per address once, whether asked through the API or from the
// request page: from one address, guard.ServiceCodesPerAddr codes go out, each to another number,
// and the next is refused without a message.
func TestServiceCodesCountedPerAddressOnBothPaths(t *testing.T) {
	t.Parallel()
	box := &texts{sent: map[string][]string{}}
	app, d := newTestAppWith(t, func(d services) { d.SMS = box })
	w := newWorld(t, d)
	desk, err := d.ServiceDesk.CreateDesk(context.Background(), who.Operator(), servicedesk.NewDesk{OrgID: w.a.ID,
		RegionCode: w.regionIn, Name: "幸福管家"})
	if err != nil {
		t.Fatal(err)
	}
	code, err := d.ServiceDesk.Code(desk)
	if err != nil {
		t.Fatal(err)
	}
	a := svcAPI{app: app}
	page := newBrowser(t, app)
	phone := func(i int) string { return fmt.Sprintf("1381234%04d", i) }
	for i := 0; i < guard.ServiceCodesPerAddr; i++ {
		if i%2 == 0 {
			if r := a.do(t, "POST", "/api/v1/service-requests/sms-codes", fmt.Sprintf(`{"phone":%q}`, phone(i))); r.Status != fiber.StatusAccepted {
				t.Fatalf("code %d through the API: %s", i+1, r)
			}
		} else if r := page.submit("/service/ask", url.Values{"action": {"code"}, "phone": {phone(i)}, "token": {code.Token}}); r.status != fiber.StatusOK {
			t.Fatalf("code %d from the page: %d %.600s", i+1, r.status, r.body)
		}
	}
	last := phone(guard.ServiceCodesPerAddr)
	if r := page.submit("/service/ask", url.Values{"action": {"code"}, "phone": {last}, "token": {code.Token}}); r.status != fiber.StatusTooManyRequests {
		t.Errorf("a code past the limit from the page: %d", r.status)
	}
	if r := a.do(t, "POST", "/api/v1/service-requests/sms-codes", fmt.Sprintf(`{"phone":%q}`, last)); r.Status != fiber.StatusTooManyRequests {
		t.Errorf("a code past the limit through the API: %s", r)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.sent) != guard.ServiceCodesPerAddr || box.sent[last] != nil {
		t.Errorf("%d numbers sent a code, want %d (and none to %s)", len(box.sent), guard.ServiceCodesPerAddr, last)
	}
}
