package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A control character in any text input is refused with a 400 naming the field, in the caller's
// language, and changes nothing. A NUL used to reach PostgreSQL, which refuses it in text: a 500.
func TestControlCharactersAreRefused(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "应急演练")
	clk.Set(a.EndsAt.Add(time.Hour))
	manual := fmt.Sprintf("/api/v1/activities/%d/manual-hours", a.ID)
	for _, c := range []struct {
		name, method, path, body, field string
	}{
		{"NUL in a JSON string", "POST", manual, `{"volunteer_no":"a\u0000b","minutes":30,"reason":"补录"}`, "volunteer_no"},
		{"bell in a nested reason", "POST", manual, `{"volunteer_no":"V1","minutes":30,"reason":"x\u0007"}`, "reason"},
		{"escape in an array member", "POST", "/api/v1/attendances/verify", `{"ids":[1],"action":"reject","reason":"\u001b[31m"}`, "reason"},
		{"DEL", "POST", manual, `{"volunteer_no":"V\u007f","minutes":30,"reason":"补录"}`, "volunteer_no"},
		{"NUL in a query parameter", "GET", "/api/v1/me/records?after=1%00", "", "after"},
	} {
		r := actDo(t, app, w.tokens[coordA], c.method, c.path, stringOrNil(c.body))
		p := r.isProblem(t, http.StatusBadRequest, "invalid-request", true)
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Reason != "control_char" ||
			!strings.Contains(p.Errors[0].Message, "控制字符") {
			t.Errorf("%s: %+v", c.name, p)
		}
	}
	// A line break is text, and a tab too: a reason may have several lines.
	r := actDo(t, app, w.tokens[coordA], "POST", manual, map[string]any{"volunteer_no": w.spare.VolunteerNo,
		"minutes": 30, "reason": "手机没电\n\t忘记签到"})
	if r.status != http.StatusCreated {
		t.Fatalf("a reason with a line break and a tab: %d %s", r.status, r.raw)
	}
}

func stringOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
