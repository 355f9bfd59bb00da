package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
)

// exportTypes are the content types of the exports of one's own records.
const (
	typeCSV  = "text/csv; charset=utf-8"
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// myRecordsCSV downloads the caller's own service records as CSV (UTF-8 with a byte order mark).
func (s *server) myRecordsCSV(c *fiber.Ctx) error {
	return s.myRecordsFile(c, "csv", typeCSV)
}

// myRecordsXLSX downloads the caller's own service records as an Excel workbook.
func (s *server) myRecordsXLSX(c *fiber.Ctx) error {
	return s.myRecordsFile(c, "xlsx", typeXLSX)
}

// myRecordsFile writes the export whole before answering, so that a failure answers with a
// problem, not a cut file; a volunteer's records are a few thousand rows at most.
func (s *server) myRecordsFile(c *fiber.Ctx, ext, contentType string) error {
	uid := guard.Principal(c).UserID
	u, err := s.Users.ByID(c.UserContext(), uid)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if ext == "csv" {
		err = s.Activities.ExportRecordsCSV(c.UserContext(), uid, &buf)
	} else {
		err = s.Activities.ExportRecordsXLSX(c.UserContext(), uid, &buf)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="service-records-`+u.VolunteerNo+`.`+ext+`"`)
	return c.Send(buf.Bytes())
}
