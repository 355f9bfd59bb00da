package web

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"timebank/pkg/care"
	who "timebank/pkg/principal"
)

// careFix are the registry's people, pairings and proposals the table's calls name: one of each in
// 硖石街道 (inside) and one in 梧桐街道 (outside), made once per world.
type careFix struct {
	in, out                 care.Person
	pairIn, pairOut         int64
	proposalIn, proposalOut int64
}

var (
	careFixMu sync.Mutex
	careFixes = map[*world]*careFix{}
)

func (w *world) care(t *testing.T) *careFix {
	t.Helper()
	careFixMu.Lock()
	defer careFixMu.Unlock()
	if f := careFixes[w]; f != nil {
		return f
	}
	ctx := context.Background()
	op := who.Operator()
	f := &careFix{}
	spare := w.grantFresh(t, w.b.ID, 0) // the spare person volunteers in B, to visit the outside person
	_ = spare
	for _, side := range []struct {
		person   *care.Person
		pair     *int64
		proposal *int64
		region   string
		orgID    int64
		userID   int64
		key      string
	}{{&f.in, &f.pairIn, &f.proposalIn, w.regionIn, w.a.ID, w.users[volunteer], "in"},
		{&f.out, &f.pairOut, &f.proposalOut, w.regionOu, w.b.ID, w.spare.ID, "out"}} {
		p, err := w.d.Care.Register(ctx, op, care.NewPerson{RegionCode: side.region, Categories: []string{"alone"},
			Colour: care.Red, Name: "测试老人" + side.key, Phone: "13512345678", Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		*side.person = p
		uid := side.userID
		pr, err := w.d.Care.Pair(ctx, op, care.NewPairing{PersonID: p.ID, OrgID: side.orgID, UserID: &uid})
		if err != nil {
			t.Fatal(err)
		}
		*side.pair = pr.ID
		principal, err := w.d.Users.Principal(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		card, _, err := w.d.Care.Card(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.d.Care.RecordVisit(ctx, &principal, "authz-"+side.key, care.NewVisit{Card: card, Minutes: 30,
			ProposeColour: care.Yellow, ProposeReason: "好转"})
		if err != nil {
			t.Fatal(err)
		}
		props, err := w.d.Care.Proposals(ctx, v.PersonID)
		if err != nil || len(props) != 1 {
			t.Fatalf("proposals %v, %v", props, err)
		}
		*side.proposal = props[0].ID
	}
	careFixes[w] = f
	return f
}

func careAuthzEntries() map[string]entry {
	readers := with(coordA, adminA, auditorHN, regionXS)
	managers := with(coordA, adminA, regionXS)
	person := func(method, suffix, body string, inside bool) func(*testing.T, *world) call {
		return func(t *testing.T, w *world) call {
			f := w.care(t)
			p := f.out
			if inside {
				p = f.in
			}
			return call{method, fmt.Sprintf("/api/v1/care/people/%d%s", p.ID, suffix), body}
		}
	}
	pagePath := func(method, format, body string, inside bool) func(*testing.T, *world) call {
		return func(t *testing.T, w *world) call {
			f := w.care(t)
			p := f.out
			if inside {
				p = f.in
			}
			return call{method, fmt.Sprintf(format, p.ID), body}
		}
	}
	both := func(rows []string, method, suffix, body string) entry {
		return entry{who: rows, in: person(method, suffix, body, true), out: person(method, suffix, body, false)}
	}
	region := func(method, format, body string) entry {
		return entry{who: nil, in: fixed(method, fmt.Sprintf(format, "330481001000"), body),
			out: fixed(method, fmt.Sprintf(format, "330483001000"), body)}
	}
	withWho := func(e entry, rows []string) entry { e.who = rows; return e }
	newPerson := func(region string) func(*testing.T, *world) call {
		return func(_ *testing.T, w *world) call {
			return call{"POST", "/api/v1/care/people", fmt.Sprintf(
				`{"region_code":"%s","categories":["alone"],"colour":"green","name":"登记%d","consent":true}`, region, w.next())}
		}
	}
	return map[string]entry{
		"GET /api/v1/care/people":  withWho(region("GET", "/api/v1/care/people?region=%s", ""), readers),
		"POST /api/v1/care/people": {who: managers, in: newPerson("330481001000"), out: newPerson("330483001000")},
		// Readers, and the paired volunteer (the volunteer of A is paired with the inside person); the
		// handler decides, so the operator token (no person) is refused and no outside call is made.
		"GET /api/v1/care/people/:id": {who: []string{platform, coordA, adminA, auditorHN, regionXS, volunteer},
			in: person("GET", "", "", true)},
		"PUT /api/v1/care/people/:id":           both(managers, "PUT", "", malformed),
		"GET /api/v1/care/people/:id/colours":   both(readers, "GET", "/colours", ""),
		"POST /api/v1/care/people/:id/colours":  both(managers, "POST", "/colours", malformed),
		"GET /api/v1/care/people/:id/visits":    both(readers, "GET", "/visits", ""),
		"GET /api/v1/care/people/:id/pairings":  both(readers, "GET", "/pairings", ""),
		"GET /api/v1/care/people/:id/proposals": both(readers, "GET", "/proposals", ""),
		"GET /api/v1/care/people/:id/card":      both(managers, "GET", "/card", ""),
		"POST /api/v1/care/pairings": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/care/pairings", fmt.Sprintf(`{"person_id":%d,"org_id":%d}`, w.care(t).in.ID, w.a.ID)}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/care/pairings", fmt.Sprintf(`{"person_id":%d,"org_id":%d}`, w.care(t).out.ID, w.b.ID)}
			}},
		"POST /api/v1/care/pairings/:id/end": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/api/v1/care/pairings/%d/end", w.care(t).pairIn), ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/api/v1/care/pairings/%d/end", w.care(t).pairOut), ""}
			}},
		"GET /api/v1/care/visits":  {who: people, in: fixed("GET", "/api/v1/care/visits", "")},
		"POST /api/v1/care/visits": {who: people, in: fixed("POST", "/api/v1/care/visits", malformed)},
		"POST /api/v1/care/proposals/:id/decide": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/api/v1/care/proposals/%d/decide", w.care(t).proposalIn), malformed}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/api/v1/care/proposals/%d/decide", w.care(t).proposalOut), malformed}
			}},
		"GET /api/v1/communities/:code/care-board": withWho(region("GET", "/api/v1/communities/%s/care-board", ""), readers),
		"GET /api/v1/regions/:code/care-frequency": withWho(region("GET", "/api/v1/regions/%s/care-frequency", ""), readers),
		"PUT /api/v1/regions/:code/care-frequency": withWho(region("PUT", "/api/v1/regions/%s/care-frequency", malformed), with(regionXS)),
		// Pages, with the rules of the JSON routes that do the same.
		"GET /communities/:code/care-board": withWho(region("GET", "/communities/%s/care-board", ""), readers),
		"GET /care/people/:id": {who: []string{platform, coordA, adminA, auditorHN, regionXS, volunteer},
			in: pagePath("GET", "/care/people/%d", "", true)},
		"GET /care/people/:id/card":    {who: managers, in: pagePath("GET", "/care/people/%d/card", "", true), out: pagePath("GET", "/care/people/%d/card", "", false)},
		"POST /care/people/:id/colour": {who: managers, in: pagePath("POST", "/care/people/%d/colour", malformed, true), out: pagePath("POST", "/care/people/%d/colour", malformed, false)},
		"POST /care/proposals/:id/decide": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/care/proposals/%d/decide", w.care(t).proposalIn), malformed}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/care/proposals/%d/decide", w.care(t).proposalOut), malformed}
			}},
		// Registering (the region is in the form: the handler refuses a region the caller does not
		// manage), changing, pairing and the region's visit frequencies.
		"GET /care/people/new":           withWho(region("GET", "/care/people/new?region=%s", ""), managers),
		"POST /care/people":              withWho(region("POST", "/care/people?region_code=%s", malformed), managers),
		"GET /care/people/:id/edit":      {who: managers, in: pagePath("GET", "/care/people/%d/edit", "", true), out: pagePath("GET", "/care/people/%d/edit", "", false)},
		"POST /care/people/:id":          {who: managers, in: pagePath("POST", "/care/people/%d", malformed, true), out: pagePath("POST", "/care/people/%d", malformed, false)},
		"GET /care/people/:id/pairings":  {who: managers, in: pagePath("GET", "/care/people/%d/pairings", "", true), out: pagePath("GET", "/care/people/%d/pairings", "", false)},
		"POST /care/people/:id/pairings": {who: managers, in: pagePath("POST", "/care/people/%d/pairings", malformed, true), out: pagePath("POST", "/care/people/%d/pairings", malformed, false)},
		"POST /care/pairings/:id/end": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/care/pairings/%d/end", w.care(t).pairIn), ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", fmt.Sprintf("/care/pairings/%d/end", w.care(t).pairOut), ""}
			}},
		"GET /regions/:code/care-frequency":         withWho(region("GET", "/regions/%s/care-frequency", ""), with(regionXS)),
		"POST /regions/:code/care-frequency":        withWho(region("POST", "/regions/%s/care-frequency", malformed), with(regionXS)),
		"GET /me/care":                              {who: people, in: fixed("GET", "/me/care", "")},
		"GET /care/visit":                           {who: people, in: fixed("GET", "/care/visit?card=k", "")},
		"POST /care/visit":                          {who: people, in: fixed("POST", "/care/visit", malformed)},
		"GET /api/v1/regions/:code/care-visit-rate": withWho(region("GET", "/api/v1/regions/%s/care-visit-rate", ""), readers),
	}
}
