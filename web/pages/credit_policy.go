package pages

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
)

// creditDefaultsView is the page of the credit policy of the platform or of a region: the
// defaults the organizations below inherit, with what applies when a field is left empty.
type creditDefaultsView struct {
	// Name is the region's name, empty for the platform; Back and Action are the page's links.
	Name, Back, Action string
	Hints              map[string]string
	Effective          []actOption
	CreditOrder        []string
}

// creditDefaultsScope reads the level of the path: the region of :code, or the platform.
func (s *server) creditDefaultsScope(c *fiber.Ctx) (activity.CreditScope, string, error) {
	if code := c.Params("code"); code != "" {
		r, err := s.Orgs.Region(c.UserContext(), code)
		return activity.CreditScope{Kind: activity.ScopeRegion, Region: r.Code}, r.Name, err
	}
	return activity.CreditScope{Kind: activity.ScopePlatform}, "", nil
}

// creditDefaultsPage shows the credit policy form of the platform or a region.
func (s *server) creditDefaultsPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{}, Errors: map[string]string{}, order: creditFields}
	return s.showCreditDefaults(c, fiber.StatusOK, f, false)
}

// showCreditDefaults renders the page; unless posted, the form is filled with the stored policy.
func (s *server) showCreditDefaults(c *fiber.Ctx, status int, f form, posted bool) error {
	sc, name, err := s.creditDefaultsScope(c)
	if err != nil {
		return err
	}
	cp, err := s.Activities.CreditPolicy(c.UserContext(), sc)
	if err != nil {
		return err
	}
	title := "page.rules.defaults.platform_title"
	d := creditDefaultsView{Name: name, Back: "/regions", Action: "/admin/credit-policy", Hints: map[string]string{},
		CreditOrder: []string{"min_redeem_hours", "account_cap_hours", "max_transfer_hours", "max_year_hours", "expiry_months"}}
	if sc.Kind == activity.ScopeRegion {
		title, d.Back = "page.rules.defaults.region_title", "/regions/"+sc.Region
		d.Action = d.Back + "/credit-policy"
	}
	v := s.newView(c, title)
	if name != "" {
		v.Title = fmt.Sprintf(s.msgs.Get(v.Lang, title), name)
	}
	if !posted {
		for k, val := range creditValues(cp.Own) {
			f.Values[k] = val
		}
	}
	if c.Query("notice") == "policy-saved" && !f.Failed() {
		v.Notice = s.msgs.Get(v.Lang, "page.notice.policy_saved")
	}
	inherited, effective := creditValues(cp.Inherited), creditValues(cp.Effective)
	hint := "page.rules.policy.inherit"
	if sc.Kind == activity.ScopePlatform {
		hint = "page.rules.defaults.builtin"
	}
	for _, k := range creditFields {
		d.Hints[k] = fmt.Sprintf(s.msgs.Get(v.Lang, hint), s.creditHours(v.Lang, k, inherited[k]))
		d.Effective = append(d.Effective, actOption{Label: s.msgs.Get(v.Lang, "page.rules.policy."+k),
			Value: s.creditHours(v.Lang, k, effective[k])})
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "credit_policy", v)
}

// creditDefaultsSubmit replaces the credit policy of the platform or the region with the form's.
func (s *server) creditDefaultsSubmit(c *fiber.Ctx) error {
	sc, _, err := s.creditDefaultsScope(c)
	if err != nil {
		return err
	}
	f := readForm(c, creditFields...)
	p := s.creditPolicyForm(c, &f)
	if !f.Failed() {
		if _, err := s.Activities.SetCreditPolicy(c.UserContext(), guard.By(c), sc, p); err != nil {
			if e := s.policyFail(c, &f, err); e != nil {
				return e
			}
		}
	}
	if f.Failed() {
		return s.showCreditDefaults(c, fiber.StatusUnprocessableEntity, f, true)
	}
	to := "/admin/credit-policy"
	if sc.Kind == activity.ScopeRegion {
		to = "/regions/" + sc.Region + "/credit-policy"
	}
	return redirect(c, to+"?notice=policy-saved")
}
