package pages

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/request"
)

// hoursFields are the fields of the organization's hours policy form (activity.Policy), top to
// bottom; creditFields those of its credit policy form (activity.CreditPolicy), each optional: left
// empty, the value of the region or platform applies.
var (
	hoursFields = []string{"rounding_unit_minutes", "grace_minutes", "minimum_minutes", "daily_cap_minutes",
		"credit_numerator", "credit_denominator", "manual_earns_credits", "star_thresholds_hours",
		"forgotten_checkout_grace_minutes", "max_activity_hours"}
	creditFields = []string{"account_cap_hours", "max_transfer_hours", "max_year_hours", "min_redeem_hours", "expiry_months"}
)

// policyView is the page of an organization's rules: how attendance becomes hours, credits and
// stars, and its credit policy with what it inherits.
type policyView struct {
	Org   org.Org
	Units []actOption
	// Hints say, for each credit field, what applies when it is left empty; Effective lists what is
	// in force now.
	Hints     map[string]string
	Effective []actOption
	// CreditOrder and NumberOrder are the text fields of the two forms in the order shown.
	CreditOrder, NumberOrder []string
}

// orgPolicyPage shows the organization's two policy forms, filled with what is in force.
func (s *server) orgPolicyPage(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	f := form{Values: map[string]string{}, Errors: map[string]string{}, order: slices.Concat(hoursFields, creditFields)}
	return s.showPolicy(c, fiber.StatusOK, id, f, "")
}

// showPolicy renders the page; the fields of the form not being shown again (every field but those
// of posted, "hours" or "credits") are filled from the stored policies.
func (s *server) showPolicy(c *fiber.Ctx, status int, id int64, f form, posted string) error {
	ctx := c.UserContext()
	o, err := s.Orgs.Org(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.Activities.Policy(ctx, id)
	if err != nil {
		return err
	}
	cp, err := s.Activities.CreditPolicy(ctx, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: id})
	if err != nil {
		return err
	}
	v := s.newView(c, "page.rules.policy.title")
	if posted != "hours" {
		for k, val := range policyValues(p) {
			f.Values[k] = val
		}
	}
	if posted != "credits" {
		for k, val := range creditValues(cp.Own) {
			f.Values[k] = val
		}
	}
	if n := c.Query("notice"); n == "policy-saved" && !f.Failed() {
		v.Notice = s.msgs.Get(v.Lang, "page.notice.policy_saved")
	}
	d := policyView{Org: o, Hints: map[string]string{},
		CreditOrder: []string{"min_redeem_hours", "account_cap_hours", "max_transfer_hours", "max_year_hours", "expiry_months"},
		NumberOrder: []string{"credit_numerator", "credit_denominator", "grace_minutes", "minimum_minutes",
			"daily_cap_minutes", "forgotten_checkout_grace_minutes", "max_activity_hours"}}
	inherited, effective := creditValues(cp.Inherited), creditValues(cp.Effective)
	for _, k := range creditFields {
		d.Hints[k] = fmt.Sprintf(s.msgs.Get(v.Lang, "page.rules.policy.inherit"), s.creditHours(v.Lang, k, inherited[k]))
		d.Effective = append(d.Effective, actOption{Label: s.msgs.Get(v.Lang, "page.rules.policy."+k),
			Value: s.creditHours(v.Lang, k, effective[k])})
	}
	for _, u := range []string{"1", "15", "30"} {
		d.Units = append(d.Units, actOption{Value: u, Label: s.msgs.Get(v.Lang, "page.rules.policy.unit."+u)})
	}
	v.Form, v.Data = f, d
	return s.render(c, status, "org_policy", v)
}

// creditHours shows the number of a credit field (hours, or months for the expiry), 0 as what it
// means there.
func (s *server) creditHours(lang, field, n string) string {
	switch {
	case n == "0":
		return s.msgs.Get(lang, "page.rules.policy.zero."+field)
	case field == "expiry_months":
		return fmt.Sprintf(s.msgs.Get(lang, "page.rules.policy.months"), n)
	}
	return fmt.Sprintf(s.msgs.Get(lang, "page.rules.policy.hours"), n)
}

// policyValues are the hours policy as the form shows it.
func policyValues(p activity.Policy) map[string]string {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	stars := make([]string, len(p.StarThresholdsHours))
	for i, h := range p.StarThresholdsHours {
		stars[i] = n(h)
	}
	out := map[string]string{"rounding_unit_minutes": n(p.RoundingUnitMinutes), "grace_minutes": n(p.GraceMinutes),
		"minimum_minutes": n(p.MinimumMinutes), "daily_cap_minutes": n(p.DailyCapMinutes),
		"credit_numerator": n(p.CreditNumerator), "credit_denominator": n(p.CreditDenominator),
		"star_thresholds_hours": strings.Join(stars, ", "), "forgotten_checkout_grace_minutes": n(p.ForgottenCheckoutGraceMinutes),
		"max_activity_hours": n(p.MaxActivityHours), "manual_earns_credits": ""}
	if p.ManualEarnsCredits {
		out["manual_earns_credits"] = "on"
	}
	if p.MaxActivityHours == 0 {
		out["max_activity_hours"] = n(activity.DefaultMaxActivityHours)
	}
	return out
}

// creditValues are an organization's own credit policy as the form shows it: a field it does not
// set is empty.
func creditValues(p activity.CreditPolicy) map[string]string {
	n := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	return map[string]string{"account_cap_hours": n(p.AccountCapHours), "max_transfer_hours": n(p.MaxTransferHours),
		"max_year_hours": n(p.MaxYearHours), "min_redeem_hours": n(p.MinRedeemHours), "expiry_months": n(p.ExpiryMonths)}
}

// policyHoursSubmit replaces the organization's hours policy with the form's.
func (s *server) policyHoursSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	f := readForm(c, slices.Concat(hoursFields, creditFields)...)
	lang := s.msgs.Lang(c)
	var p activity.Policy
	num := func(field string, dst *int64) {
		v, err := strconv.ParseInt(strings.TrimSpace(f.Values[field]), 10, 64)
		if err != nil || v < 0 {
			f.fail(field, s.msgs.Get(lang, "reason.not_a_number"))
		}
		*dst = v
	}
	num("rounding_unit_minutes", &p.RoundingUnitMinutes)
	num("grace_minutes", &p.GraceMinutes)
	num("minimum_minutes", &p.MinimumMinutes)
	num("daily_cap_minutes", &p.DailyCapMinutes)
	num("credit_numerator", &p.CreditNumerator)
	num("credit_denominator", &p.CreditDenominator)
	num("forgotten_checkout_grace_minutes", &p.ForgottenCheckoutGraceMinutes)
	num("max_activity_hours", &p.MaxActivityHours)
	p.ManualEarnsCredits = f.Values["manual_earns_credits"] != ""
	for _, h := range strings.FieldsFunc(f.Values["star_thresholds_hours"], func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ' ' || r == '/'
	}) {
		v, err := strconv.ParseInt(h, 10, 64)
		if err != nil {
			f.fail("star_thresholds_hours", s.msgs.Get(lang, "reason.not_a_number"))
			break
		}
		p.StarThresholdsHours = append(p.StarThresholdsHours, v)
	}
	if !f.Failed() {
		if _, err := s.Activities.SetPolicy(c.UserContext(), guard.By(c), id, p); err != nil {
			if e := s.policyFail(c, &f, err); e != nil {
				return e
			}
		}
	}
	if f.Failed() {
		return s.showPolicy(c, fiber.StatusUnprocessableEntity, id, f, "hours")
	}
	return redirect(c, "/orgs/"+strconv.FormatInt(id, 10)+"/policy?notice=policy-saved")
}

// policyCreditsSubmit replaces the organization's credit policy with the form's.
func (s *server) policyCreditsSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the rule
	f := readForm(c, slices.Concat(hoursFields, creditFields)...)
	p := s.creditPolicyForm(c, &f)
	if !f.Failed() {
		sc := activity.CreditScope{Kind: activity.ScopeOrg, OrgID: id}
		if _, err := s.Activities.SetCreditPolicy(c.UserContext(), guard.By(c), sc, p); err != nil {
			if e := s.policyFail(c, &f, err); e != nil {
				return e
			}
		}
	}
	if f.Failed() {
		return s.showPolicy(c, fiber.StatusUnprocessableEntity, id, f, "credits")
	}
	return redirect(c, "/orgs/"+strconv.FormatInt(id, 10)+"/policy?notice=policy-saved")
}

// creditPolicyForm reads the credit policy's fields of the form (an organization's, a region's or
// the platform's): each a whole number of hours or months, or empty to inherit. A field that is
// not one is failed on the form.
func (s *server) creditPolicyForm(c *fiber.Ctx, f *form) activity.CreditPolicy {
	lang := s.msgs.Lang(c)
	opt := func(field string) *int64 {
		raw := strings.TrimSpace(f.Values[field])
		if raw == "" {
			return nil
		}
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v < 0 {
			f.fail(field, s.msgs.Get(lang, "reason.not_a_number"))
			return nil
		}
		return &v
	}
	return activity.CreditPolicy{AccountCapHours: opt("account_cap_hours"), MaxTransferHours: opt("max_transfer_hours"),
		MaxYearHours: opt("max_year_hours"), MinRedeemHours: opt("min_redeem_hours"), ExpiryMonths: opt("expiry_months")}
}

// policyFail puts a refused policy on the form: each field beside its input (a star threshold
// "star_thresholds_hours[2]" beside the list). Any other error is returned.
func (s *server) policyFail(c *fiber.Ctx, f *form, err error) error {
	var fe *fields.Error
	if !errors.As(err, &fe) {
		return err
	}
	lang := s.msgs.Lang(c)
	for field, reason := range fe.Fields() {
		field, _, _ = strings.Cut(field, "[")
		f.fail(field, s.msgs.Get(lang, "reason."+reason))
	}
	return nil
}
