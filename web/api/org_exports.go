package api

import (
	"context"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/export"
	"timebank/web/request"
)

// orgExport answers an organization's export named what, of the period the query gives, written
// by run.
func (s *server) orgExport(c *fiber.Ctx, what string, run func(ctx context.Context, orgID int64, p export.Period, f export.Format, w io.Writer) (int, error)) error {
	id, _ := request.IDParam(c, "id")
	p, err := exportPeriod(c)
	if err != nil {
		return err
	}
	return s.streamExport(c, "org-"+strconv.FormatInt(id, 10)+"-"+what+"-"+p.Name(),
		func(ctx context.Context, f export.Format, w io.Writer) (int, error) { return run(ctx, id, p, f, w) })
}

// exportOrgRecords downloads the organization's service records of a period (?from=&to=).
func (s *server) exportOrgRecords(c *fiber.Ctx) error {
	return s.orgExport(c, "records", s.Activities.ExportOrgRecords)
}

// exportNational downloads the organization's service records of a period in the fields of the
// national 志愿服务信息系统基本规范 (activity.NationalFields).
func (s *server) exportNational(c *fiber.Ctx) error {
	return s.orgExport(c, "national", s.Activities.ExportNational)
}

// exportOrgActivities downloads the organization's activities of a period with their attendance.
func (s *server) exportOrgActivities(c *fiber.Ctx) error {
	return s.orgExport(c, "activities", s.Activities.ExportOrgActivities)
}

// exportMembers downloads who held a role in the organization or its stores during a period.
func (s *server) exportMembers(c *fiber.Ctx) error {
	return s.orgExport(c, "members", s.Users.ExportMembers)
}
