package pages

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/care"
	"timebank/web/guard"
)

// careFrequencyFields are the frequency form's fields, most closely followed colour first.
var careFrequencyFields = []string{"red_days", "yellow_days", "green_days"}

// careFrequencyView is a region's visit frequencies: for each colour, its own setting (empty: as the
// region above), and what is in force.
type careFrequencyView struct {
	RegionCode, RegionName string
	Rows                   []careFrequencyRow
}

// careFrequencyRow is a colour's line of the form.
type careFrequencyRow struct {
	Field, Colour, Label, Now, Default string
}

// careFrequencyPage shows the form of the region's visit frequencies, for those who manage the region.
func (s *server) careFrequencyPage(c *fiber.Ctx) error {
	return s.renderCareFrequency(c, fiber.StatusOK, form{Values: map[string]string{}, Errors: map[string]string{},
		order: careFrequencyFields}, false)
}

func (s *server) renderCareFrequency(c *fiber.Ctx, status int, f form, posted bool) error {
	ctx := c.UserContext()
	code := c.Params("code")
	r, err := s.Orgs.Region(ctx, code)
	if err != nil {
		return err
	}
	fv, err := s.Care.Frequency(ctx, code)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.frequency.title")
	v.Title = r.Name + " · " + v.Title
	d := careFrequencyView{RegionCode: r.Code, RegionName: r.Name}
	own := []*int{fv.Own.Red, fv.Own.Yellow, fv.Own.Green}
	for i, col := range care.Colours {
		field := careFrequencyFields[i]
		if !posted {
			f.Values[field] = ""
			if own[i] != nil {
				f.Values[field] = strconv.Itoa(*own[i])
			}
		}
		d.Rows = append(d.Rows, careFrequencyRow{Field: field, Colour: col,
			Label: fmt.Sprintf(s.msgs.Get(v.Lang, "page.care.frequency.days"), s.msgs.Get(v.Lang, colourKeys[col])),
			Now:   fmt.Sprintf(s.msgs.Get(v.Lang, "page.care.board.every"), fv.Effective.Days(col)),
			Default: fmt.Sprintf(s.msgs.Get(v.Lang, "page.care.frequency.default"),
				care.DefaultFrequency.Days(col))})
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "care_frequency", v)
}

// careFrequencySubmit sets the region's frequencies, as PUT /api/v1/regions/{code}/care-frequency
// does; a field left empty follows the region above (or the default).
func (s *server) careFrequencySubmit(c *fiber.Ctx) error {
	lang := s.msgs.Lang(c)
	f := readForm(c, careFrequencyFields...)
	var set care.FrequencySetting
	for i, dst := range []**int{&set.Red, &set.Yellow, &set.Green} {
		field := careFrequencyFields[i]
		raw := strings.TrimSpace(f.Values[field])
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			f.fail(field, s.msgs.Get(lang, "reason.not_a_number"))
			continue
		}
		*dst = &n
	}
	if !f.Failed() {
		if _, err := s.Care.SetFrequency(c.UserContext(), guard.Principal(c).Actor(), c.Params("code"), set); err != nil {
			status, err := s.failForm(c, &f, err, nil)
			if err != nil {
				return err
			}
			return s.renderCareFrequency(c, status, f, true)
		}
	}
	if f.Failed() {
		return s.renderCareFrequency(c, fiber.StatusUnprocessableEntity, f, true)
	}
	return redirect(c, careFrequencyLink(c.Params("code"))+"?notice=care-frequency-saved")
}
