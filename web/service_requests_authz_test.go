package web

import (
	"context"
	"reflect"
	"testing"
	"time"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/api"
)

// serviceRequestAuthzEntries are the rows of residents' service requests in the authorization
// table: a request of A's desk inside, of B's outside. A resident needs no account for asking,
// confirming and rating (the access key or SMS code is the proof, checked by the service).
func serviceRequestAuthzEntries() map[string]entry {
	req := func(method, suffix, body string, who []string) entry {
		at := func(inside bool) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				return call{method, "/api/v1/service-requests/" + id(w.serviceRequest(t, inside)) + suffix, body}
			}
		}
		return entry{who: who, in: at(true), out: at(false)}
	}
	org := func(method, suffix, body string, who []string) entry {
		return orgAt(method, "/api/v1/orgs/", suffix, body, who)
	}
	page := func(method, suffix, body string, who []string) entry {
		return orgAt(method, "/orgs/", suffix, body, who)
	}
	doers := with(volunteer, coordA, adminA)
	dispatchers := with(coordA, adminA, regionXS)
	return map[string]entry{
		"POST /api/v1/service-requests/sms-codes":         {who: everyone, in: fixed("POST", "/api/v1/service-requests/sms-codes", malformed)},
		"POST /api/v1/service-requests":                   {who: everyone, in: fixed("POST", "/api/v1/service-requests", malformed)},
		"GET /api/v1/service-requests/access":             {who: everyone, in: fixed("GET", "/api/v1/service-requests/access", "")},
		"POST /api/v1/service-requests/:id/confirm":       {who: everyone, in: fixed("POST", "/api/v1/service-requests/1/confirm", malformed)},
		"POST /api/v1/service-requests/:id/rate":          {who: everyone, in: fixed("POST", "/api/v1/service-requests/1/rate", malformed)},
		"POST /api/v1/service-requests/:id/cancel":        {who: everyone, in: fixed("POST", "/api/v1/service-requests/1/cancel", malformed)},
		"GET /api/v1/me/service-requests":                 {who: people, in: fixed("GET", "/api/v1/me/service-requests", "")},
		"GET /api/v1/service-requests/:id":                req("GET", "", "", doers),
		"POST /api/v1/service-requests/:id/assign":        req("POST", "/assign", malformed, dispatchers),
		"POST /api/v1/service-requests/:id/take":          req("POST", "/take", malformed, doers),
		"POST /api/v1/service-requests/:id/accept":        req("POST", "/accept", malformed, doers),
		"POST /api/v1/service-requests/:id/start":         req("POST", "/start", malformed, doers),
		"POST /api/v1/service-requests/:id/finish":        req("POST", "/finish", malformed, doers),
		"POST /api/v1/service-requests/:id/confirm-codes": req("POST", "/confirm-codes", "", doers),
		"POST /api/v1/service-requests/:id/moderate":      req("POST", "/moderate", malformed, dispatchers),
		"GET /api/v1/orgs/:id/service-requests":           org("GET", "/service-requests", "", dispatchers),
		"GET /api/v1/orgs/:id/service-queue":              org("GET", "/service-queue", "", dispatchers),
		"GET /api/v1/orgs/:id/service-desks":              org("GET", "/service-desks", "", dispatchers),
		"POST /api/v1/orgs/:id/service-desks":             org("POST", "/service-desks", malformed, dispatchers),
		"GET /api/v1/orgs/:id/service-ratings":            org("GET", "/service-ratings", "", with(coordA, adminA, auditorHN, regionXS)),
		// The pages: the resident's (no account), the volunteer's tasks and visit, the team's dispatch.
		"POST /service/ask":              {who: everyone, in: fixed("POST", "/service/ask", "")},
		"GET /service/r/:access":         {who: everyone, in: fixed("GET", "/service/r/1-x", "")},
		"GET /service/mine/:id":          {who: everyone, in: fixed("GET", "/service/mine/1", "")},
		"POST /service/mine/:id/confirm": {who: everyone, in: fixed("POST", "/service/mine/1/confirm", "")},
		"POST /service/mine/:id/rate":    {who: everyone, in: fixed("POST", "/service/mine/1/rate", "")},
		"POST /service/mine/:id/cancel":  {who: everyone, in: fixed("POST", "/service/mine/1/cancel", "")},
		"GET /service/tasks":             {who: people, in: fixed("GET", "/service/tasks", "")},
		"POST /service/visit":            {who: people, in: fixed("POST", "/service/visit", "")},
		"POST /service/tasks/:id/:step": {who: doers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/service/tasks/" + id(w.serviceRequest(t, true)) + "/none", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/service/tasks/" + id(w.serviceRequest(t, false)) + "/none", ""}
			}},
		"GET /orgs/:id/service":                 page("GET", "/service", "", dispatchers),
		"POST /orgs/:id/service/desks":          page("POST", "/service/desks", "", dispatchers),
		"POST /orgs/:id/service/:request/:step": page("POST", "/service/999999/none", "", dispatchers),
		"GET /api/v1/regions/:code/unanswered-service-requests": {who: with(auditorHN, regionXS),
			in:  fixed("GET", "/api/v1/regions/330481001000/unanswered-service-requests", ""),
			out: fixed("GET", "/api/v1/regions/330483001000/unanswered-service-requests", "")},
	}
}

// orgAt is the row of a route about an organization at prefix+id+suffix: A inside, B outside.
func orgAt(method, prefix, suffix, body string, who []string) entry {
	at := func(inside bool) func(*testing.T, *world) call {
		return func(_ *testing.T, w *world) call {
			o := w.b.ID
			if inside {
				o = w.a.ID
			}
			return call{method, prefix + id(o) + suffix, body}
		}
	}
	return entry{who: who, in: at(true), out: at(false)}
}

// serviceRequest is a request on a desk of A (inside) or B, made once per world by a grid worker.
func (w *world) serviceRequest(t *testing.T, inside bool) int64 {
	t.Helper()
	if id, ok := w.requests[inside]; ok {
		return id
	}
	ctx := context.Background()
	o, region := w.b.ID, w.regionOu
	if inside {
		o, region = w.a.ID, w.regionIn
	}
	d, err := w.d.ServiceDesk.CreateDesk(ctx, who.Operator(), servicedesk.NewDesk{OrgID: o, RegionCode: region, Name: "幸福管家"})
	if err != nil {
		t.Fatal(err)
	}
	code, err := w.d.ServiceDesk.Code(d)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.d.ServiceDesk.Create(ctx, &who.Principal{UserID: w.users[coordA], Name: coordA}, "authz", servicedesk.NewRequest{
		DeskCode: code.Token, Category: "meal", WantedAt: time.Now().Add(time.Hour), Address: "东山路 18 号",
		Phone: "13800138000", ForSelf: true})
	if err != nil {
		t.Fatal(err)
	}
	w.requests[inside] = c.Request.ID
	return c.Request.ID
}

// The schemas of service requests have exactly the JSON fields of their Go types.
func TestServiceRequestsOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"NewServiceRequest":     reflect.TypeFor[servicedesk.NewRequest](),
		"ServiceRequest":        reflect.TypeFor[servicedesk.Request](),
		"ServiceRequestCreated": reflect.TypeFor[servicedesk.Created](),
		"ServiceRequestsPage":   reflect.TypeFor[api.ServiceRequestsPage](),
		"PhoneBody":             reflect.TypeFor[api.PhoneBody](),
		"CodeSent":              reflect.TypeFor[api.CodeSent](),
		"AssignBody":            reflect.TypeFor[api.AssignBody](),
		"VisitBody":             reflect.TypeFor[api.VisitBody](),
		"FinishBody":            reflect.TypeFor[api.FinishBody](),
		"ConfirmBody":           reflect.TypeFor[api.ConfirmBody](),
		"CancelBody":            reflect.TypeFor[api.CancelBody](),
		"ServiceRating":         reflect.TypeFor[servicedesk.Rating](),
		"ModerateBody":          reflect.TypeFor[api.ModerateBody](),
		"DeskCode":              reflect.TypeFor[servicedesk.DeskCode](),
		"ServiceDesk":           reflect.TypeFor[api.DeskView](),
		"NewServiceDesk":        reflect.TypeFor[servicedesk.NewDesk](),
		"ServiceWaiting":        reflect.TypeFor[servicedesk.Waiting](),
		"RatingSummary":         reflect.TypeFor[servicedesk.RatingSummary](),
		"DeskRatingSummary":     reflect.TypeFor[servicedesk.DeskSummary](),
		"RatedComment":          reflect.TypeFor[servicedesk.RatedComment](),
		"ServiceStanding":       reflect.TypeFor[servicedesk.Standing](),
	})
}
