package pages

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/store"
	"timebank/web/guard"
)

// storeRuleFields are the fields of a store's rules form (store.Policy), top to bottom.
var storeRuleFields = []string{"min_shelf_life_percent", "min_shelf_life_days", "pickup_hours", "near_expiry_days"}

// storeRulesView is the page of a store's rules: what is in force, in words, and for those who may
// change them the form.
type storeRulesView struct {
	Store storeHead
	// Rules are the rules in force as sentences; CanEdit says whether the form is shown.
	Rules   []string
	CanEdit bool
	Fields  []ruleField
}

// ruleField is one input of the form with its label and the range it accepts.
type ruleField struct{ Name, Label, Hint string }

// storeRulesPage shows the store's rules, and the form to change them to those who may.
func (s *server) storeRulesPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{}, Errors: map[string]string{}, order: storeRuleFields}
	return s.showStoreRules(c, fiber.StatusOK, f, false)
}

// showStoreRules renders the page; unless posted, the form is filled with the rules in force.
func (s *server) showStoreRules(c *fiber.Ctx, status int, f form, posted bool) error {
	v := s.newView(c, "page.store.rules.title")
	head, err := s.storeHead(c, v.Lang, "rules")
	if err != nil {
		return err
	}
	p, err := s.Store.Policy(c.UserContext(), head.ID)
	if err != nil {
		return err
	}
	t, err := s.storePageTarget(c)
	if err != nil {
		return err
	}
	d := storeRulesView{Store: head, CanEdit: guard.Principal(c).Can(access.ManageCatalog, t)}
	for _, k := range storeRuleFields {
		d.Fields = append(d.Fields, ruleField{Name: k, Label: s.msgs.Get(v.Lang, "page.store.rules."+k),
			Hint: s.msgs.Get(v.Lang, "page.store.rules.hint."+k)})
	}
	say := func(key string, args ...any) string { return fmt.Sprintf(s.msgs.Get(v.Lang, key), args...) }
	d.Rules = []string{say("page.store.rules.shelf_life", p.MinShelfLifePercent, p.MinShelfLifeDays),
		say("page.store.rules.pickup", p.PickupHours), say("page.store.rules.near_expiry", p.NearExpiryDays)}
	if !posted {
		for k, n := range map[string]int{"min_shelf_life_percent": p.MinShelfLifePercent, "min_shelf_life_days": p.MinShelfLifeDays,
			"pickup_hours": p.PickupHours, "near_expiry_days": p.NearExpiryDays} {
			f.Values[k] = strconv.Itoa(n)
		}
	}
	if c.Query("notice") == "rules-saved" && !f.Failed() {
		v.Notice = s.msgs.Get(v.Lang, "page.notice.store_rules_saved")
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "store_rules", v)
}

// storeRulesSubmit replaces the store's rules with the form's.
func (s *server) storeRulesSubmit(c *fiber.Ctx) error {
	head, err := s.storeHead(c, s.msgs.Lang(c), "rules")
	if err != nil {
		return err
	}
	f := readForm(c, storeRuleFields...)
	lang := s.msgs.Lang(c)
	var p store.Policy
	num := func(field string, dst *int) {
		n, err := strconv.Atoi(strings.TrimSpace(f.Values[field]))
		if err != nil || n < 0 {
			f.fail(field, s.msgs.Get(lang, "reason.not_a_number"))
		}
		*dst = n
	}
	num("min_shelf_life_percent", &p.MinShelfLifePercent)
	num("min_shelf_life_days", &p.MinShelfLifeDays)
	num("pickup_hours", &p.PickupHours)
	num("near_expiry_days", &p.NearExpiryDays)
	if !f.Failed() {
		if _, err := s.Store.SetPolicy(c.UserContext(), guard.Principal(c).Actor(), head.ID, p); err != nil {
			if e := s.policyFail(c, &f, err); e != nil {
				return e
			}
		}
	}
	if f.Failed() {
		return s.showStoreRules(c, fiber.StatusUnprocessableEntity, f, true)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(head.ID, 10)+"/rules?notice=rules-saved")
}
