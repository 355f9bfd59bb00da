package servicedesk

import (
	"context"
	"strconv"
	"time"
)

// Standing is how residents rated a team's services: per desk and for the whole organization, each
// average with the count behind it, and the latest published comments.
type Standing struct {
	OrgID    int64          `json:"org_id"`
	Total    RatingSummary  `json:"total"`
	Desks    []DeskSummary  `json:"desks"`
	Comments []RatedComment `json:"comments"`
}

// RatingSummary is a count of ratings and their average in tenths (46 is 4.6 of 5): integers, so
// that every figure shown can be recounted exactly.
type RatingSummary struct {
	Count         int64 `db:"count" json:"count"`
	AverageTenths int64 `db:"average_tenths" json:"average_tenths"`
	Served        int64 `db:"served" json:"served"` // confirmed services, rated or not
}

// Stars is the average as people read it: "4.6" (of 5).
func (r RatingSummary) Stars() string {
	return strconv.FormatInt(r.AverageTenths/10, 10) + "." + strconv.FormatInt(r.AverageTenths%10, 10)
}

// DeskSummary is one desk's ratings.
type DeskSummary struct {
	DeskID        int64  `db:"desk_id" json:"desk_id"`
	CommunityName string `db:"community_name" json:"community_name"`
	RatingSummary
}

// RatedComment is a published comment with its rating.
type RatedComment struct {
	Category string    `db:"category" json:"category"`
	Rating   int       `db:"rating" json:"rating"`
	Comment  string    `db:"rating_comment" json:"comment"`
	RatedAt  time.Time `db:"rated_at" json:"rated_at"`
}

const summaryColumns = `count(q.rating) AS count,
	coalesce(round(avg(q.rating) * 10)::bigint, 0) AS average_tenths, count(*) AS served`

// Standing returns the organization's ratings.
func (s *Service) Standing(ctx context.Context, orgID int64) (Standing, error) {
	st := Standing{OrgID: orgID, Desks: []DeskSummary{}, Comments: []RatedComment{}}
	if err := s.db.GetContext(ctx, &st.Total, `SELECT `+summaryColumns+`
FROM service_requests q WHERE q.org_id = $1 AND q.status = 'confirmed'`, orgID); err != nil {
		return Standing{}, err
	}
	if err := s.db.SelectContext(ctx, &st.Desks, `SELECT d.id AS desk_id, r.name AS community_name, `+summaryColumns+`
FROM service_desks d JOIN regions r ON r.code = d.region_code
JOIN service_requests q ON q.desk_id = d.id AND q.status = 'confirmed'
WHERE d.org_id = $1 GROUP BY d.id, r.name ORDER BY d.id`, orgID); err != nil {
		return Standing{}, err
	}
	err := s.db.SelectContext(ctx, &st.Comments, `SELECT category, rating, rating_comment, rated_at FROM service_requests
WHERE org_id = $1 AND comment_status = 'published' ORDER BY rated_at DESC, id DESC LIMIT 20`, orgID)
	return st, err
}
