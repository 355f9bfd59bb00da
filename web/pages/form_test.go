package pages

import (
	"errors"
	"fmt"
	"testing"

	"timebank/fields"
	"timebank/pkg/store"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// lineFaults reads every refusal of a request with lines alike, whichever shape the store gave it:
// a refused line, several lines at once, malformed fields of the lines and of the request.
func TestLineFaults(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{msgs: msgs}
	type fault struct {
		line          int
		field, reason string
	}
	outOfStock := &store.LineError{Err: store.ErrOutOfStock, Line: 2, Item: 9, Name: "大米", Field: "qty",
		Reason: store.ReasonOutOfStock}
	cases := []struct {
		name string
		err  error
		ok   bool
		want []fault
	}{
		{"one refused line", fmt.Errorf("placing: %w", outOfStock), true, []fault{{2, "qty", "out_of_stock"}}},
		{"malformed fields, the request's own first", fields.Set{"lines[1].qty": "range", "lines[0].item": "duplicate",
			"note": "too_long", "lines": "too_many"}.Err(store.ErrInvalid), true,
			[]fault{{-1, "lines", "too_many"}, {-1, "note", "too_long"}, {0, "item", "duplicate"}, {1, "qty", "range"}}},
		{"several lines at once, in line order", &store.LineErrors{Err: store.ErrDonationRefused, Lines: []*store.LineError{
			{Err: store.ErrDonationRefused, Line: 0, Field: "best_before", Reason: store.ReasonPastDate},
			{Err: store.ErrDonationRefused, Line: 3, Field: "best_before", Reason: store.ReasonShelfLife}}}, true,
			[]fault{{0, "best_before", "past_best_before"}, {3, "best_before", "shelf_life_short"}}},
		{"a line past the tenth keeps its number", fields.New(store.ErrInvalid, "lines[12].qty", "range"), true,
			[]fault{{12, "qty", "range"}}},
		{"no field named", store.ErrOrderExpired, false, nil},
		{"nothing wrong", nil, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := s.lineFaults("zh-CN", c.err)
			if ok != c.ok || len(got) != len(c.want) {
				t.Fatalf("lineFaults = %+v, %v; want %d faults, %v", got, ok, len(c.want), c.ok)
			}
			for i, w := range c.want {
				g := got[i]
				if g.Line != w.line || g.Field != w.field || g.Reason != w.reason {
					t.Errorf("fault %d = %+v, want %+v", i, g, w)
				}
				if want := msgs.Get("zh-CN", "reason."+w.reason); g.Message != want || want == "reason."+w.reason {
					t.Errorf("fault %d message = %q, want the reason's %q", i, g.Message, want)
				}
			}
		})
	}
}

// The problem document of a refused line names its field and lists the line with its item, and a
// refusal of several lines names each, in line order, whatever the handler remembered to call.
func TestStoreLinesAnswer(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{msgs: msgs}
	le := &store.LineError{Err: store.ErrOverLimit, Line: 1, Item: 4, Name: "食用油", Field: "qty", Reason: store.ReasonOverLimit}
	errs, lines, ok := problem.StoreLines(s.msgs, "en", "over-limit", fmt.Errorf("x: %w", le))
	if !ok || len(errs) != 1 || errs[0].Field != "lines[1].qty" || errs[0].Reason != "over_limit" ||
		len(lines) != 1 || lines[0].Item != 4 || lines[0].Name != "食用油" || lines[0].Message == "" {
		t.Errorf("one line: %+v %+v %v", errs, lines, ok)
	}
	les := &store.LineErrors{Err: store.ErrInvalid, Lines: []*store.LineError{
		{Err: store.ErrInvalid, Line: 2, Field: "qty", Reason: "range"},
		{Err: store.ErrInvalid, Line: 10, Field: "item", Reason: "required"}}}
	errs, lines, ok = problem.StoreLines(s.msgs, "en", "invalid-request", les)
	if !ok || len(errs) != 2 || errs[0].Field != "lines[2].qty" || errs[1].Field != "lines[10].item" || lines != nil {
		t.Errorf("several lines: %+v %+v %v", errs, lines, ok)
	}
	if _, _, ok := problem.StoreLines(s.msgs, "en", "invalid-request", fields.New(store.ErrInvalid, "store", "required")); ok {
		t.Error("a field error about no line was taken for refused lines")
	}
	if status, slug := problem.Classify(les); status != 400 || slug != "invalid-request" || !errors.Is(les, store.ErrInvalid) {
		t.Errorf("several malformed lines: %d %s", status, slug)
	}
}
