package pages

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/care"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/request"
)

// carePersonFields are the registration form's fields, top to bottom; a change has the same but the
// region, the colour and the consent (the colour changes on the person's page, with a reason).
var (
	carePersonFields = []string{"region_code", "name", "phone", "address", "categories", "colour", "note", "consent_of", "consent"}
	careChangeFields = []string{"name", "phone", "address", "categories", "note"}
)

// carePersonForm is the registration form, or the change form when Person is set.
type carePersonForm struct {
	Person     *care.Person // the person changed; nil on a registration
	Regions    []option
	Categories []careChoice
	Colours    []option
	ConsentOf  []option
	Key        string // the registration form's idempotency key: a form sent twice registers once
}

// careChoice is a category's box on the form.
type careChoice struct {
	Value, Label string
	Checked      bool
}

// careNewPage is the registration form for the community (or a community of the street) in ?region=.
func (s *server) careNewPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"region_code": c.Query("region"), "colour": care.Green, "consent_of": "self"},
		Errors: map[string]string{}, order: carePersonFields}
	return s.renderCarePerson(c, fiber.StatusOK, f, nil, nil)
}

// careEditPage is the change form of a person; name, phone and address are never filled in (they are
// shown masked, and a field left empty is kept as it is).
func (s *server) careEditPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.Care.Person(c.UserContext(), id)
	if err != nil {
		return err
	}
	f := form{Values: map[string]string{"note": p.Note}, Errors: map[string]string{}, order: careChangeFields}
	return s.renderCarePerson(c, fiber.StatusOK, f, &p, p.Categories)
}

func (s *server) renderCarePerson(c *fiber.Ctx, status int, f form, p *care.Person, checked []string) error {
	title := "page.care.new.title"
	if p != nil {
		title = "page.care.edit.title"
	}
	v := s.newView(c, title)
	v.Form = f
	d := carePersonForm{Person: p}
	for _, k := range care.Categories {
		d.Categories = append(d.Categories, careChoice{Value: k, Label: s.msgs.Get(v.Lang, categoryKeys[k]), Checked: slices.Contains(checked, k)})
	}
	if p == nil {
		d.Key = storeFormKey()
		regions, err := s.careRegions(c, f.Values["region_code"])
		if err != nil {
			return err
		}
		d.Regions = regions
		for _, col := range care.Colours {
			d.Colours = append(d.Colours, option{Value: col, Label: s.msgs.Get(v.Lang, colourKeys[col])})
		}
		d.ConsentOf = []option{{Value: "self", Label: s.msgs.Get(v.Lang, "page.care.form.consent_self")},
			{Value: "guardian", Label: s.msgs.Get(v.Lang, "page.care.form.consent_guardian")}}
	} else {
		v.Title = p.NameMasked + " · " + v.Title
	}
	v.Data = d
	return s.render(c, status, "care_person_form", v)
}

// careRegions are the places a person can be registered from the board of code: the community
// itself, or each community of the street, by name.
func (s *server) careRegions(c *fiber.Ctx, code string) ([]option, error) {
	ctx := c.UserContext()
	r, err := s.Orgs.Region(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.Level >= org.Community {
		return []option{{Value: r.Code, Label: r.Name}}, nil
	}
	children, err := s.Orgs.Children(ctx, r.Code)
	if err != nil {
		return nil, err
	}
	out := []option{}
	for _, ch := range children {
		out = append(out, option{Value: ch.Code, Label: ch.Name})
	}
	if len(out) == 0 {
		out = append(out, option{Value: r.Code, Label: r.Name})
	}
	return out, nil
}

// postedCategories are the boxes ticked on the form.
func postedCategories(c *fiber.Ctx) []string {
	out := []string{}
	for _, v := range c.Request().PostArgs().PeekMulti("categories") {
		out = append(out, string(v))
	}
	return out
}

// careRegisterSubmit registers a person, as POST /api/v1/care/people does: checked first, then the
// caller must manage care where the person is. A refused form comes back without the name, phone
// and address typed (they are never shown again), to be filled in again.
func (s *server) careRegisterSubmit(c *fiber.Ctx) error {
	f := readForm(c, carePersonFields...)
	cats := postedCategories(c)
	req := care.NewPerson{RegionCode: f.Values["region_code"], Categories: cats, Colour: f.Values["colour"], Name: f.Values["name"],
		Address: f.Values["address"], Phone: f.Values["phone"], Note: f.Values["note"], ConsentOf: f.Values["consent_of"],
		Consent: f.Values["consent"] == "1"}
	f.Values["name"], f.Values["phone"], f.Values["address"], f.Values["consent"] = "", "", "", ""
	// Refused outright where the caller does not manage care, as the JSON route is; a region that is
	// no division code is the form's to show.
	if _, e := org.DivisionLevel(req.RegionCode); e == nil && len(req.RegionCode) == 12 {
		t, err := s.Care.Target(c.UserContext(), req.RegionCode)
		if err != nil {
			return err
		}
		if err := guard.Can(c, access.ManageCare, t); err != nil {
			return err
		}
	}
	// Checks the form first; the form's key makes a form sent twice register once.
	p, err := s.Care.RegisterOnce(c.UserContext(), guard.Principal(c).Actor(), c.FormValue("key"), req)
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderCarePerson(c, status, f, nil, cats)
	}
	return redirect(c, personLink(p.ID)+"?notice=care-registered")
}

// careChangeSubmit changes a person, as PUT /api/v1/care/people/{id} does; a name, phone or address
// left empty is kept, and a phone or address whose "clear" box is ticked is removed (ticked with a
// new value typed, it is refused: the form cannot tell which was meant).
func (s *server) careChangeSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, careChangeFields...)
	cats := postedCategories(c)
	ch := care.PersonChange{Categories: cats}
	note := f.Values["note"]
	ch.Note = &note
	bad := fields.Set{}
	for name, dst := range map[string]**string{"name": &ch.Name, "phone": &ch.Phone, "address": &ch.Address} {
		v, remove := f.Values[name], name != "name" && c.FormValue("clear_"+name) == "1"
		switch {
		case remove && v != "":
			bad[name] = "clear_or_value"
		case remove: // the service removes an empty phone or address
			*dst = new(string)
		case v != "":
			*dst = &v
		}
		f.Values[name] = ""
	}
	err = bad.Err(care.ErrInvalid)
	if err == nil {
		_, err = s.Care.UpdatePerson(c.UserContext(), guard.Principal(c).Actor(), id, ch)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		p, err := s.Care.Person(c.UserContext(), id)
		if err != nil {
			return err
		}
		return s.renderCarePerson(c, status, f, &p, cats)
	}
	return redirect(c, personLink(id)+"?notice=care-changed")
}

// careNewLink is the registration form for the people of a region's board.
func careNewLink(code string) string { return "/care/people/new?region=" + code }

// careFrequencyLink is a region's visit frequencies form.
func careFrequencyLink(code string) string { return "/regions/" + code + "/care-frequency" }

// idString is an id in a path.
func idString(id int64) string { return strconv.FormatInt(id, 10) }
