package report

import (
	"strings"
	"time"

	"timebank/fields"
)

// Figures are the sums of the daily figures over some days and places. Minutes and credits are
// integer minutes; goods are pieces.
type Figures struct {
	// VolunteerDays counts each volunteer once per day and organization they served (人次 by day):
	// a distinct count over a period cannot be added up from days.
	VolunteerDays   int64 `db:"volunteers_active" json:"volunteer_days"`
	NewVolunteers   int64 `db:"volunteers_new" json:"new_volunteers"` // first record with the organization
	ScanMinutes     int64 `db:"scan_minutes" json:"scan_minutes"`     // verified, scanned in and out
	ManualMinutes   int64 `db:"manual_minutes" json:"manual_minutes"` // verified, added by hand (补录)
	Activities      int64 `db:"activities" json:"activities"`         // service activities held
	CreditsIssued   int64 `db:"credits_issued" json:"credits_issued"` // net of reversals
	CreditsRedeemed int64 `db:"credits_redeemed" json:"credits_redeemed"`
	Orders          int64 `db:"orders" json:"orders"`         // online orders picked up
	Sales           int64 `db:"sales" json:"sales"`           // walk-in sales at the counter
	GoodsIn         int64 `db:"goods_in" json:"goods_in"`     // pieces donated
	GoodsOut        int64 `db:"goods_out" json:"goods_out"`   // pieces handed out (orders, sales, aid)
	Households      int64 `db:"households" json:"households"` // households given goods, per day
	Certificates    int64 `db:"certificates" json:"certificates"`
}

// add adds g's figures to f's.
func (f *Figures) add(g Figures) {
	f.VolunteerDays += g.VolunteerDays
	f.NewVolunteers += g.NewVolunteers
	f.ScanMinutes += g.ScanMinutes
	f.ManualMinutes += g.ManualMinutes
	f.Activities += g.Activities
	f.CreditsIssued += g.CreditsIssued
	f.CreditsRedeemed += g.CreditsRedeemed
	f.Orders += g.Orders
	f.Sales += g.Sales
	f.GoodsIn += g.GoodsIn
	f.GoodsOut += g.GoodsOut
	f.Households += g.Households
	f.Certificates += g.Certificates
}

// Minutes are the verified minutes, scanned and added by hand.
func (f Figures) Minutes() int64 { return f.ScanMinutes + f.ManualMinutes }

// figureNames are report_daily's figure columns.
var figureNames = strings.Split(strings.Join(strings.Fields(strings.ReplaceAll(figureColumns, ",", " ")), " "), " ")

// sums is the select list summing every figure of report_daily (as prefix.column), each named as
// its column.
func sums(prefix string) string {
	parts := make([]string, len(figureNames))
	for i, c := range figureNames {
		parts[i] = "coalesce(sum(" + prefix + c + "), 0)::bigint AS " + c
	}
	return strings.Join(parts, ", ")
}

// MaxPeriodDays is the longest period a summary covers: ten years.
const MaxPeriodDays = 3660

// Period is a range of whole days in China, From and To included.
type Period struct {
	From time.Time
	To   time.Time
}

// ParsePeriod reads a period from dates written YYYY-MM-DD; an empty to is today and an empty from
// the first day of the month eleven months before to (a year by month).
// Errors: ErrInvalid (*fields.Error: "from" or "to" with "date", "to" with "before_from", "from"
// with "too_long").
func (s *Service) ParsePeriod(from, to string) (Period, error) {
	bad := fields.Set{}
	p := Period{To: s.today()}
	read := func(name, v string, into *time.Time) {
		if v == "" {
			return
		}
		d, err := time.ParseInLocation(time.DateOnly, v, s.today().Location())
		if err != nil {
			bad[name] = "date"
			return
		}
		*into = d
	}
	read("to", to, &p.To)
	first := time.Date(p.To.Year(), p.To.Month(), 1, 0, 0, 0, 0, p.To.Location()).AddDate(0, -11, 0)
	p.From = first
	read("from", from, &p.From)
	switch {
	case len(bad) > 0:
	case p.From.After(p.To):
		bad["to"] = "before_from"
	case p.To.Sub(p.From) > MaxPeriodDays*24*time.Hour:
		bad["from"] = "too_long"
	}
	return p, bad.Err(ErrInvalid)
}
