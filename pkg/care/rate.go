package care

import (
	"context"
	"sort"
	"time"

	"timebank/pkg/chinatime"
)

// CommunityRate is a community's visit rate for a month: of the people who should have been
// visited in the month, how many were visited as often as their colour requires.
type CommunityRate struct {
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Due        int    `json:"due"`     // people who should have been visited in the month
	Visited    int    `json:"visited"` // of them, visited as often as required
}

// Percent is the rate in whole percent (100 when nobody was due).
func (r CommunityRate) Percent() int {
	if r.Due == 0 {
		return 100
	}
	return r.Visited * 100 / r.Due
}

// VisitRate returns the visit rate of each community in the region for the month holding month
// (China time). A person is due in the month when registered before its end and their next visit
// fell due before its end; they were visited as required with at least as many visits in the month
// as the month holds periods of their colour's frequency (at least one). A visit is any contact
// of care_contacts: a care visit, or a service request done for the person and confirmed. It reads
// the registry and those contacts only (a region's people, not a province's ledger).
func (s *Service) VisitRate(ctx context.Context, region string, month time.Time) ([]CommunityRate, error) {
	m := month.In(chinatime.Zone())
	from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, chinatime.Zone())
	to := from.AddDate(0, 1, 0)
	type row struct {
		Region     string     `db:"region_code"`
		Name       string     `db:"region_name"`
		Colour     string     `db:"colour"`
		CreatedAt  time.Time  `db:"created_at"`
		LastBefore *time.Time `db:"last_before"`
		InMonth    int        `db:"in_month"`
	}
	var rows []row
	err := s.db.SelectContext(ctx, &rows, `SELECT p.region_code, r.name AS region_name, p.colour, p.created_at,
    (SELECT max(v.started_at) FROM care_contacts v WHERE v.person_id = p.id AND v.started_at < $2) AS last_before,
    (SELECT count(*) FROM care_contacts v WHERE v.person_id = p.id AND v.started_at >= $2 AND v.started_at < $3) AS in_month
FROM care_people p JOIN regions r ON r.code = p.region_code
WHERE p.region_code LIKE $1 AND p.active AND p.created_at < $3`, regionPrefix(region)+"%", from, to)
	if err != nil {
		return nil, err
	}
	freq := map[string]Frequency{}
	byRegion := map[string]*CommunityRate{}
	for _, r := range rows {
		f, ok := freq[r.Region]
		if !ok {
			v, err := s.Frequency(ctx, r.Region)
			if err != nil {
				return nil, err
			}
			f, freq[r.Region] = v.Effective, v.Effective
		}
		every := f.Days(r.Colour)
		due := chinatime.Midnight(r.CreatedAt)
		if r.LastBefore != nil {
			due = chinatime.Midnight(*r.LastBefore).AddDate(0, 0, every)
		}
		if !due.Before(to) {
			continue // not due this month
		}
		start := from
		if due.After(start) {
			start = due
		}
		need := int(to.Sub(start).Hours()/24) / every
		if need < 1 {
			need = 1
		}
		c := byRegion[r.Region]
		if c == nil {
			c = &CommunityRate{RegionCode: r.Region, RegionName: r.Name}
			byRegion[r.Region] = c
		}
		c.Due++
		if r.InMonth >= need {
			c.Visited++
		}
	}
	out := make([]CommunityRate, 0, len(byRegion))
	for _, c := range byRegion {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RegionCode < out[j].RegionCode })
	return out, nil
}
