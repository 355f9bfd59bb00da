package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/roster"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// importRoster reads a volunteer list (CSV or XLSX, form field "file") for the organization in the
// path. With ?dry_run=true it only reports; otherwise it imports every row or, when any row is bad,
// none and answers 422 listing the bad rows.
func (s *server) importRoster(c *fiber.Ctx) error {
	orgID, _ := request.IDParam(c, "id") // checked by the rule
	fh, err := c.FormFile("file")
	if err != nil {
		return problem.BadRequest("file", "required")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	dry := c.Query("dry_run") == "true" || c.Query("dry_run") == "1"
	rep, err := s.Roster.Import(c.UserContext(), guard.Change(c), orgID, f, fh.Filename, dry)
	var fe *roster.FileError
	if errors.As(err, &fe) {
		return &problem.Error{Status: fiber.StatusBadRequest, Slug: "roster-file",
			Detail: func(lang string) string { return fe.Text(lang) }}
	} else if err != nil {
		return err
	}
	if !dry && !rep.Imported {
		return &problem.Error{Status: fiber.StatusUnprocessableEntity, Slug: "roster-invalid",
			Rows: func(lang string) []roster.RowError { return problem.LocalRows(rep.Errors, lang) }}
	}
	if rep.Imported {
		return c.Status(fiber.StatusCreated).JSON(problem.LocalReport(rep, s.msgs.Lang(c)))
	}
	return c.JSON(problem.LocalReport(rep, s.msgs.Lang(c)))
}
