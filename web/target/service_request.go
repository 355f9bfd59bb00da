package target

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/servicedesk"
	"timebank/web/request"
)

// ServiceRequests finds the target of routes about a resident's service request in the path (:id):
// the organization whose team it was asked of.
type ServiceRequests struct {
	f    *Finder
	desk *servicedesk.Service
}

// ServiceRequests returns the finder of service requests' targets over the service.
func (f *Finder) ServiceRequests(desk *servicedesk.Service) ServiceRequests {
	return ServiceRequests{f: f, desk: desk}
}

// Request is the target of routes about the request in the path.
func (t ServiceRequests) Request(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	orgID, err := t.desk.RequestOrg(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return t.f.OrgOf(c, orgID)
}
