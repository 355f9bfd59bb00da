package pages

import (
	"errors"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/care"
	"timebank/pkg/qr"
	"timebank/web/guard"
	"timebank/web/request"
)

// careVisitsView is a volunteer's list of the people they are paired with, next due first.
type careVisitsView struct {
	Cards []careCard
	Done  bool // a visit was just recorded
}

// myCarePage is the signed-in volunteer's visit list.
func (s *server) myCarePage(c *fiber.Ctx) error {
	p := guard.Principal(c)
	cards, err := s.Care.VisitList(c.UserContext(), p.UserID, care.MemberOrgs(p))
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.visits.title")
	v.Data = careVisitsView{Cards: s.careCards(v.Lang, cards), Done: c.Query("done") == "visited"}
	return s.render(c, fiber.StatusOK, "care_visits", v)
}

// careVisitFields are the visit form's fields, top to bottom.
var careVisitFields = []string{"minutes", "health", "needs", "follow_up", "propose_colour", "propose_reason"}

// careVisitView is the visit form opened by scanning the person's card at the door.
type careVisitView struct {
	Card    string
	Person  care.Person
	Key     string
	Colours []option
}

// careVisitPage opens the visit form for the card scanned (?card=).
func (s *server) careVisitPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"minutes": "30"}, Errors: map[string]string{}, order: careVisitFields}
	return s.renderCareVisit(c, fiber.StatusOK, c.Query("card"), f)
}

func (s *server) renderCareVisit(c *fiber.Ctx, status int, card string, f form) error {
	person, err := s.Care.CardHolder(c.UserContext(), card)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.visit.title")
	v.Form = f
	d := careVisitView{Card: card, Person: person, Key: storeFormKey(),
		Colours: []option{{Value: "", Label: s.msgs.Get(v.Lang, "page.care.visit.no_change")}}}
	for _, col := range care.Colours {
		d.Colours = append(d.Colours, option{Value: col, Label: s.msgs.Get(v.Lang, colourKeys[col])})
	}
	v.Data = d
	return s.render(c, status, "care_visit", v)
}

// careVisitSubmit records the visit; the form's key makes a resent form record it once.
func (s *server) careVisitSubmit(c *fiber.Ctx) error {
	lang := s.msgs.Lang(c)
	f := readForm(c, careVisitFields...)
	minutes, _ := strconv.Atoi(f.Values["minutes"])
	req := care.NewVisit{Card: c.FormValue("card"), Minutes: minutes, Health: f.Values["health"], Needs: f.Values["needs"],
		FollowUp: f.Values["follow_up"], ProposeColour: f.Values["propose_colour"], ProposeReason: f.Values["propose_reason"]}
	_, err := s.Care.RecordVisit(c.UserContext(), guard.Principal(c), c.FormValue("key"), req)
	var fe *fields.Error
	switch {
	case errors.As(err, &fe):
		for field, reason := range fe.Fields() {
			f.fail(field, s.msgs.Get(lang, "reason."+reason))
		}
		return s.renderCareVisit(c, fiber.StatusUnprocessableEntity, req.Card, f)
	case err != nil:
		return err
	}
	return redirect(c, "/me/care?done=visited")
}

// careCardView is a person's printable card: the masked name and the code scanned at the door.
type careCardView struct {
	Person care.Person
	QR     template.URL
}

// careCardPage shows the person's card to print.
func (s *server) careCardPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	person, err := s.Care.Person(c.UserContext(), id)
	if err != nil {
		return err
	}
	_, url, err := s.Care.Card(c.UserContext(), id)
	if err != nil {
		return err
	}
	img, err := storeQR(url)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.card.title")
	v.Data = careCardView{Person: person, QR: img}
	return s.render(c, fiber.StatusOK, "care_card", v)
}

// careCardScanned sends a scanned care card to the visit form.
func careCardScanned(c *fiber.Ctx, token string) error {
	if token == "" || qr.Type(token[0]) != qr.CareCard {
		return fiber.ErrBadRequest
	}
	return redirect(c, "/care/visit?card="+token)
}
