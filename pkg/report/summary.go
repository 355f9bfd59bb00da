package report

import (
	"context"
	"strings"

	"github.com/lib/pq"

	"timebank/pkg/org"
)

// Month is the figures of one calendar month of a period (only its days inside the period).
type Month struct {
	Month string `db:"month" json:"month"` // YYYY-MM
	Figures
}

// Part is a place below the one summarized: a region directly below it, an organization that sits
// in it directly, or a store of an organization.
type Part struct {
	Kind string `db:"kind" json:"kind"`           // region, org or store
	Code string `db:"code" json:"code,omitempty"` // a region's 12-digit code
	ID   int64  `db:"id" json:"id,omitempty"`     // an organization's or a store's id
	Name string `db:"name" json:"name"`
	Figures
}

// Summary is the figures of a region, an organization or a store for a period: in total, by month,
// and for each place directly below it.
type Summary struct {
	Kind   string  `json:"kind"` // region, org or store
	Code   string  `json:"code,omitempty"`
	ID     int64   `json:"id,omitempty"`
	Name   string  `json:"name"`
	Level  string  `json:"level,omitempty"` // a region's level: province … community
	From   string  `json:"from"`
	To     string  `json:"to"`
	Totals Figures `json:"totals"`
	Months []Month `json:"months"`
	Parts  []Part  `json:"parts"`
	// Ranking is an organization's volunteers by verified hours in the period (a store's: those of
	// the organization running it); none for a region.
	Ranking []Ranked `json:"ranking,omitempty"`
}

// Insider reports whether the reader belongs to the organization, which decides whether a ranking
// shows names in full (张三丰) or masked (张**).
type Insider func(orgID int64) bool

// MaxParts is how many organizations a summary lists below a region.
const MaxParts = 500

// months returns the figures of the period's rows matching filter (see sourceCTE; its parameters
// are args, from $7) by month, and their total.
func (s *Service) months(ctx context.Context, filter string, p Period, args ...any) ([]Month, Figures, error) {
	q := `WITH src AS ` + sourceCTE(filter) + `SELECT month, ` + sums("") + ` FROM src GROUP BY 1 ORDER BY 1`
	var out []Month
	err := s.reads.SelectContext(ctx, &out, q, append(split(p, s.today()).args(), args...)...)
	var total Figures
	for _, m := range out {
		total.add(m.Figures)
	}
	if out == nil {
		out = []Month{}
	}
	return out, total, err
}

// outer is the select list of the figures of a LEFT JOINed summary f, zero where it has no row.
func outer() string {
	parts := make([]string, len(figureNames))
	for i, c := range figureNames {
		parts[i] = "coalesce(f." + c + ", 0) AS " + c
	}
	return strings.Join(parts, ", ")
}

// RegionSummary returns the figures of the region (6 or 12 digits) and everything below it for the
// period: each region directly below it, and each organization that sits in it directly. The region
// and its children are read from the regions' months (see regionCTE), so a province's year costs a
// few hundred rows, not its organizations' thousands.
// Errors: org.ErrRegionNotFound.
func (s *Service) RegionSummary(ctx context.Context, code string, p Period) (Summary, error) {
	c, level, err := org.NormalizeDivision(code)
	if err != nil {
		return Summary{}, org.ErrRegionNotFound
	}
	prefix := c[:level.Digits()]
	sum := Summary{Kind: "region", Code: c, Level: level.String(), From: dayText(p.From), To: dayText(p.To)}
	if err := s.db.GetContext(ctx, &sum.Name, `SELECT name FROM regions WHERE code = $1`, c); err != nil {
		if isNoRows(err) {
			return Summary{}, org.ErrRegionNotFound
		}
		return Summary{}, err
	}
	spans := split(p, s.today()).args()
	err = s.reads.SelectContext(ctx, &sum.Months, `WITH src AS `+regionCTE()+`SELECT month, `+sums("")+
		` FROM src GROUP BY 1 ORDER BY 1`, append(spans, prefix+"%", len(prefix), pq.Array([]string{prefix}))...)
	if err != nil {
		return Summary{}, err
	}
	for _, m := range sum.Months {
		sum.Totals.add(m.Figures)
	}
	if sum.Months == nil {
		sum.Months = []Month{}
	}
	if level < org.Community {
		n := (level + 1).Digits()
		var nodes []string
		if err := s.db.SelectContext(ctx, &nodes, `SELECT left(code, $1) FROM regions WHERE parent_code = $2`, n, c); err != nil {
			return Summary{}, err
		}
		err = s.reads.SelectContext(ctx, &sum.Parts, `WITH src AS `+regionCTE()+`
SELECT 'region' AS kind, c.code, 0::bigint AS id, c.name, `+outer()+`
  FROM regions c LEFT JOIN (SELECT node, `+sums("")+` FROM src GROUP BY 1) f ON f.node = left(c.code, $8)
 WHERE c.parent_code = $10 ORDER BY c.code`, append(spans, prefix+"%", n, pq.Array(nodes), c)...)
		if err != nil {
			return Summary{}, err
		}
	}
	var orgs []Part
	err = s.reads.SelectContext(ctx, &orgs, `WITH src AS `+sourceCTE(`region_code = $7`)+`
SELECT 'org' AS kind, '' AS code, o.id, o.name, `+outer()+`
  FROM organizations o LEFT JOIN (
       SELECT org_id, `+sums("")+` FROM src GROUP BY 1
  ) f ON f.org_id = o.id
 WHERE o.region_code = $7 ORDER BY o.id LIMIT $8`, append(spans, c, MaxParts)...)
	sum.Parts = append(sum.Parts, orgs...)
	if sum.Parts == nil {
		sum.Parts = []Part{}
	}
	return sum, err
}

// OrgSummary returns the figures of the organization (its stores included) for the period, those
// of each of its stores, and its volunteers' ranking (names in full for insiders only).
// Errors: org.ErrOrgNotFound.
func (s *Service) OrgSummary(ctx context.Context, id int64, p Period, inside Insider) (Summary, error) {
	sum := Summary{Kind: "org", ID: id, From: dayText(p.From), To: dayText(p.To)}
	if err := s.db.GetContext(ctx, &sum.Name, `SELECT name FROM organizations WHERE id = $1`, id); err != nil {
		if isNoRows(err) {
			return Summary{}, org.ErrOrgNotFound
		}
		return Summary{}, err
	}
	var err error
	if sum.Months, sum.Totals, err = s.months(ctx, `org_id = $7`, p, id); err != nil {
		return Summary{}, err
	}
	err = s.reads.SelectContext(ctx, &sum.Parts, `WITH src AS `+sourceCTE(`org_id = $7`)+`
SELECT 'store' AS kind, '' AS code, st.id, st.name, `+outer()+`
  FROM stores st LEFT JOIN (
       SELECT store_id, `+sums("")+` FROM src WHERE store_id <> 0 GROUP BY 1
  ) f ON f.store_id = st.id
 WHERE st.org_id = $7 ORDER BY st.id`, append(split(p, s.today()).args(), id)...)
	if err != nil {
		return Summary{}, err
	}
	if sum.Parts == nil {
		sum.Parts = []Part{}
	}
	sum.Ranking, err = s.Ranking(ctx, id, p, inside != nil && inside(id))
	return sum, err
}

// StoreSummary returns the figures of the store for the period, and the ranking of the volunteers
// of the organization running it (names in full for its insiders only).
// Errors: org.ErrStoreNotFound.
func (s *Service) StoreSummary(ctx context.Context, id int64, p Period, inside Insider) (Summary, error) {
	sum := Summary{Kind: "store", ID: id, From: dayText(p.From), To: dayText(p.To), Parts: []Part{}}
	var orgID int64
	row := s.db.QueryRowxContext(ctx, `SELECT name, org_id FROM stores WHERE id = $1`, id)
	if err := row.Scan(&sum.Name, &orgID); err != nil {
		if isNoRows(err) {
			return Summary{}, org.ErrStoreNotFound
		}
		return Summary{}, err
	}
	var err error
	if sum.Months, sum.Totals, err = s.months(ctx, `store_id = $7`, p, id); err != nil {
		return Summary{}, err
	}
	sum.Ranking, err = s.Ranking(ctx, orgID, p, inside != nil && inside(orgID))
	return sum, err
}
