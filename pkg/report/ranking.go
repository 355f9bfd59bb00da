package report

import (
	"context"

	"timebank/pkg/identity"
)

// Ranked is a volunteer's verified service with an organization in a period.
type Ranked struct {
	Rank          int    `json:"rank"`
	UserID        int64  `db:"user_id" json:"-"`
	Name          string `db:"name" json:"name"` // masked (张**) unless the reader is inside the organization
	VolunteerNo   string `db:"volunteer_no" json:"-"`
	ScanMinutes   int64  `db:"scan_minutes" json:"scan_minutes"`
	ManualMinutes int64  `db:"manual_minutes" json:"manual_minutes"`
	Minutes       int64  `db:"minutes" json:"minutes"`
}

// RankingSize is how many volunteers a ranking lists.
const RankingSize = 20

// Ranking returns the organization's volunteers with the most verified minutes in the period, most
// first (ties by who served first). Names are masked unless full is set: the caller sets it only for
// readers inside the organization. It reads the organization's records, not the daily figures: one
// organization's period is a short range of an index.
func (s *Service) Ranking(ctx context.Context, orgID int64, p Period, full bool) ([]Ranked, error) {
	var out []Ranked
	err := s.reads.SelectContext(ctx, &out, `
SELECT r.user_id, u.name, u.volunteer_no,
       coalesce(sum(r.minutes) FILTER (WHERE r.kind = 'scan'), 0) AS scan_minutes,
       coalesce(sum(r.minutes) FILTER (WHERE r.kind = 'manual'), 0) AS manual_minutes,
       sum(r.minutes) AS minutes
  FROM service_records r JOIN users u ON u.id = r.user_id
 WHERE r.org_id = $1 AND r.service_date BETWEEN $2 AND $3
 GROUP BY r.user_id, u.name, u.volunteer_no
HAVING sum(r.minutes) > 0
 ORDER BY minutes DESC, min(r.id)
 LIMIT $4`, orgID, dayText(p.From), dayText(p.To), RankingSize)
	for i := range out {
		out[i].Rank = i + 1
		if !full {
			out[i].Name = identity.MaskName(out[i].Name)
		}
	}
	if out == nil {
		out = []Ranked{}
	}
	return out, err
}
