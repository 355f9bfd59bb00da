package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
)

// A resident cancels their request on their phone with a reason; the page then says it is cancelled
// and shows no door code. The resident's page before and after, and the team's dispatch with its
// cancel form, are shot at 360 px and 1366 px in Chinese and English, and fit the width.
func TestBrowserServiceCancel(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	code := deskCode(t, d, w)
	ask := func(key, phone string) servicedesk.Created {
		c, err := d.ServiceDesk.Create(ctx, who.Operator(), key, servicedesk.NewRequest{DeskCode: code, Category: "meal",
			WantedAt: time.Now().Add(24 * time.Hour), Address: "东山路 18 号 3 单元 502 室", Phone: phone, ForSelf: true,
			Note: "腿脚不便，请送到门口"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mine := ask("b1", "13812340011")
	ask("b2", "13812340012") // stays waiting, with its cancel form in the dispatch
	type shot struct {
		lang  string
		width int
	}
	shots := []shot{{"zh-CN", phoneWidth}, {"zh-CN", 1366}, {"en", phoneWidth}, {"en", 1366}}

	res := newChrome(t)
	for _, s := range shots {
		useLang(t, res, base, s.lang)
		useWidth(t, res, s.width)
		openPage(t, res, base+"/service/r/"+mine.Access)
		waitFor(t, res, "the cancel form", `!!document.getElementById('svc-cancel-form')`)
		fitsWidth(t, res, "the resident's page", s.width)
		screenshot(t, res, fmt.Sprintf("1-mine-%s-%d", s.lang, s.width))
	}
	useLang(t, res, base, "zh-CN")
	useWidth(t, res, phoneWidth)
	openPage(t, res, base+"/service/r/"+mine.Access)
	fill(t, res, "f-reason", "家人已经送来午饭")
	submitAndWait(t, res, "svc-cancel", "svc-cancelled")
	if got := textOf(t, res, "svc-cancelled"); !strings.Contains(got, "已取消") || !strings.Contains(got, "家人已经送来午饭") {
		t.Errorf("the cancelled page says %q", got)
	}
	for _, s := range shots {
		useLang(t, res, base, s.lang)
		useWidth(t, res, s.width)
		openPage(t, res, base+minePathOf(mine.Request.ID))
		waitFor(t, res, "no door code", `!document.getElementById('svc-visit-code') && !!document.getElementById('svc-cancelled')`)
		screenshot(t, res, fmt.Sprintf("2-cancelled-%s-%d", s.lang, s.width))
	}

	coord := newChrome(t)
	signInWith(t, coord, base, worldPhoneOf(coordA), testPassword)
	for _, s := range shots {
		useLang(t, coord, base, s.lang)
		useWidth(t, coord, s.width)
		visit(t, coord, base+"/orgs/"+id(w.a.ID)+"/service")
		waitFor(t, coord, "a cancel form", `document.querySelectorAll('[data-testid="svc-dispatch-cancel"]').length === 1`)
		fitsWidth(t, coord, "the dispatch", s.width)
		screenshot(t, coord, fmt.Sprintf("3-dispatch-%s-%d", s.lang, s.width))
	}
}
