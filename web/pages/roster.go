package pages

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/org"
	"timebank/pkg/roster"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// rosterView is the volunteer list import page: the organization, and after an upload what the
// check or the import found.
type rosterView struct {
	Org    org.Org
	Report *roster.Report // nil before the first upload
	DryRun bool           // the report is of a check; nothing was written
}

// rosterPage shows the upload form.
func (s *server) rosterPage(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	return s.renderRoster(c, fiber.StatusOK, id, form{}, nil, false)
}

// rosterSubmit checks an uploaded list (mode=check, the dry run) or imports it (mode=import): all
// or nothing, as POST /api/v1/orgs/{id}/imports does. Every bad row is listed with its line,
// column and what is wrong; a file that cannot be read at all is an error next to the file field.
func (s *server) rosterSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	lang := s.msgs.Lang(c)
	f := readForm(c, "file", "mode")
	dry := c.FormValue("mode") != "import"
	fh, err := c.FormFile("file")
	if err != nil {
		f.fail("file", s.msgs.Get(lang, "page.roster.file_required"))
		return s.renderRoster(c, fiber.StatusUnprocessableEntity, id, f, nil, dry)
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	rep, err := s.Roster.Import(c.UserContext(), guard.Change(c), id, file, fh.Filename, dry)
	var fe *roster.FileError
	if errors.As(err, &fe) {
		f.fail("file", fe.Text(lang))
		return s.renderRoster(c, fiber.StatusUnprocessableEntity, id, f, nil, dry)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderRoster(c, status, id, f, nil, dry)
	}
	rep = problem.LocalReport(rep, lang)
	status := fiber.StatusOK
	switch {
	case len(rep.Errors) > 0:
		status = fiber.StatusUnprocessableEntity
	case rep.Imported:
		status = fiber.StatusCreated
	}
	return s.renderRoster(c, status, id, form{}, &rep, dry)
}

func (s *server) renderRoster(c *fiber.Ctx, status int, id int64, f form, rep *roster.Report, dry bool) error {
	o, err := s.Orgs.Org(c.UserContext(), id)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.roster.title")
	v.Form = f
	v.Data = rosterView{Org: o, Report: rep, DryRun: dry}
	return s.render(c, status, "roster", v)
}
