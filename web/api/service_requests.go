package api

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// PhoneBody is a phone number to send a one-time code to.
type PhoneBody struct {
	Phone string `json:"phone"`
}

// CodeSent acknowledges a code sent.
type CodeSent struct {
	Message string `json:"message"`
}

// smsSender sends a service code by SMS in the caller's language, counted per address.
func (s *server) smsSender(c *fiber.Ctx) (servicedesk.SendFunc, error) {
	return s.guard.ServiceCodeSender(c, s.SMS, s.msgs.Lang(c))
}

// requestServiceCode sends a one-time code to the phone of a resident who is about to ask for a
// service (202); codes are limited per number (one a minute, five a day) and per address.
func (s *server) requestServiceCode(c *fiber.Ctx) error {
	var req PhoneBody
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	send, err := s.smsSender(c)
	if err != nil {
		return err
	}
	if err := s.ServiceDesk.RequestCode(c.UserContext(), req.Phone, send); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(CodeSent{Message: s.msgs.Get(s.msgs.Lang(c), "detail.service_code_sent")})
}

// createServiceRequest records a resident's request on the desk whose code they scanned: with a
// one-time SMS code, or from a signed-in person who may act for the desk's residents (the team's
// dispatchers, the community's grid workers: servicedesk.MayActFor) on their behalf.
func (s *server) createServiceRequest(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req servicedesk.NewRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	by, err := s.ServiceDesk.OnBehalf(c.UserContext(), guard.Principal(c), req.DeskCode)
	if err != nil {
		return err
	}
	created, err := s.ServiceDesk.Create(c.UserContext(), by, key, req)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return request.Created(c, created.Replayed, created)
}

// HeaderAccessKey carries the resident's access key to the API: in a header, not the path, so that
// it stays out of access logs, proxies' logs and Referer headers.
const HeaderAccessKey = "X-Access-Key"

// getServiceRequestByAccess is the resident's view of their request, opened by its access key in
// X-Access-Key; a missing or wrong key is the request not found.
func (s *server) getServiceRequestByAccess(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	key := c.Get(HeaderAccessKey)
	if key == "" {
		return servicedesk.ErrRequestNotFound
	}
	r, err := s.ServiceDesk.RequestByAccess(c.UserContext(), key)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// viewer is who reads requests through the API.
func (s *server) viewer(c *fiber.Ctx, orgID int64) (servicedesk.Viewer, error) {
	p := guard.Principal(c)
	v := servicedesk.Viewer{UserID: p.UserID}
	if orgID != 0 {
		t, err := s.targets.OrgOf(c, orgID)
		if err != nil {
			return v, err
		}
		v.Coordinator = p.Can(access.DispatchServices, t)
	}
	return v, nil
}

// getServiceRequest is one request for its team's coordinators and volunteers.
func (s *server) getServiceRequest(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	org, err := s.ServiceDesk.RequestOrg(c.UserContext(), id)
	if err != nil {
		return err
	}
	v, err := s.viewer(c, org)
	if err != nil {
		return err
	}
	r, err := s.ServiceDesk.Request(c.UserContext(), id, v)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// ServiceRequestsPage is a page of requests, newest first; Next is the cursor (?after=).
type ServiceRequestsPage struct {
	Items []servicedesk.Request `json:"items"`
	Next  int64                 `json:"next,omitempty"`
}

// listOrgServiceRequests is the coordinator's dispatch list: the team's requests, ?status= to keep
// some.
func (s *server) listOrgServiceRequests(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	return s.listServiceRequests(c, servicedesk.ListQuery{OrgIDs: []int64{orgID}}, orgID)
}

// listMyServiceRequests is the volunteer's tasks: the requests assigned to them and the open ones of
// their teams, which they may take.
func (s *server) listMyServiceRequests(c *fiber.Ctx) error {
	p := guard.Principal(c)
	q := servicedesk.ListQuery{VolunteerID: p.UserID, OrgIDs: []int64{}}
	for _, g := range p.Grants {
		if g.Kind == access.Org && (g.Role == access.Volunteer || g.Role == access.Coordinator) {
			q.OrgIDs = append(q.OrgIDs, g.OrgID)
		}
	}
	return s.listServiceRequests(c, q, 0)
}

func (s *server) listServiceRequests(c *fiber.Ctx, q servicedesk.ListQuery, orgID int64) error {
	after, limit, err := request.Page(c, 100)
	if err != nil {
		return err
	}
	q.After, q.Limit = after, limit
	if st := c.Query("status"); st != "" {
		q.Statuses = strings.Split(st, ",")
		for _, x := range q.Statuses {
			if !slices.Contains(servicedesk.ListStatuses, x) {
				return problem.BadRequest("status", "unknown")
			}
		}
	}
	v, err := s.viewer(c, orgID)
	if err != nil {
		return err
	}
	items, err := s.ServiceDesk.List(c.UserContext(), q, v)
	if err != nil {
		return err
	}
	page := ServiceRequestsPage{Items: items}
	if len(items) == q.Limit && q.Limit > 0 {
		page.Next = items[len(items)-1].ID
	}
	return c.JSON(page)
}
