package care

import (
	"context"
	"sort"
	"time"

	"github.com/lib/pq"

	"timebank/pkg/chinatime"
)

// Card is a person on the care board: masked, with the last visit and the next one due. A visit is
// a care visit or a service request done for the person and confirmed (care_contacts).
type Card struct {
	PersonID    int64          `db:"id" json:"person_id"`
	RegionCode  string         `db:"region_code" json:"region_code"`
	RegionName  string         `db:"region_name" json:"region_name"`
	Colour      string         `db:"colour" json:"colour"`
	NameMasked  string         `db:"name_masked" json:"name_masked"`
	Categories  pq.StringArray `db:"categories" json:"categories"`
	CreatedAt   time.Time      `db:"created_at" json:"-"`
	LastVisitAt *time.Time     `db:"last_visit_at" json:"last_visit_at,omitempty"`
	NextDue     time.Time      `db:"-" json:"next_due"`   // the day (China time) the next visit is due
	Overdue     bool           `db:"-" json:"overdue"`    // the due day has passed without a visit
	DaysLate    int            `db:"-" json:"days_late"`  // how many days past due, 0 if not overdue
	EveryDays   int            `db:"-" json:"every_days"` // the frequency the colour requires here
}

// CommunityCount is one community's line on a street's board.
type CommunityCount struct {
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Red        int    `json:"red"`
	Yellow     int    `json:"yellow"`
	Green      int    `json:"green"`
	Overdue    int    `json:"overdue"`
}

// Board is a region's care board: every active person as a card, overdue first (the longest
// overdue first), then by the day the next visit is due; and the counts per community.
type Board struct {
	RegionCode  string           `json:"region_code"`
	Cards       []Card           `json:"cards"`
	Communities []CommunityCount `json:"communities"`
}

const cardQuery = `SELECT p.id, p.region_code, r.name AS region_name, p.colour, p.name_masked, p.categories, p.created_at,
    (SELECT max(v.started_at) FROM care_contacts v WHERE v.person_id = p.id) AS last_visit_at
FROM care_people p JOIN regions r ON r.code = p.region_code`

// Board returns the care board of a region (a community, or a street with its communities).
func (s *Service) Board(ctx context.Context, region string) (Board, error) {
	cards := []Card{}
	if err := s.db.SelectContext(ctx, &cards, cardQuery+` WHERE p.region_code LIKE $1 AND p.active ORDER BY p.id`,
		regionPrefix(region)+"%"); err != nil {
		return Board{}, err
	}
	if err := s.schedule(ctx, cards); err != nil {
		return Board{}, err
	}
	b := Board{RegionCode: region, Cards: cards, Communities: []CommunityCount{}}
	at := map[string]int{}
	for _, c := range cards {
		i, ok := at[c.RegionCode]
		if !ok {
			i = len(b.Communities)
			at[c.RegionCode] = i
			b.Communities = append(b.Communities, CommunityCount{RegionCode: c.RegionCode, RegionName: c.RegionName})
		}
		n := &b.Communities[i]
		switch c.Colour {
		case Red:
			n.Red++
		case Yellow:
			n.Yellow++
		default:
			n.Green++
		}
		if c.Overdue {
			n.Overdue++
		}
	}
	sort.Slice(b.Communities, func(i, j int) bool { return b.Communities[i].RegionCode < b.Communities[j].RegionCode })
	return b, nil
}

// schedule fills each card's frequency, next due day and lateness, and sorts the cards.
func (s *Service) schedule(ctx context.Context, cards []Card) error {
	freq := map[string]Frequency{}
	today := s.today()
	for i := range cards {
		c := &cards[i]
		f, ok := freq[c.RegionCode]
		if !ok {
			v, err := s.Frequency(ctx, c.RegionCode)
			if err != nil {
				return err
			}
			f, freq[c.RegionCode] = v.Effective, v.Effective
		}
		c.EveryDays = f.Days(c.Colour)
		c.NextDue = chinatime.Midnight(c.CreatedAt) // never visited: due from the day of registration
		if c.LastVisitAt != nil {
			c.NextDue = chinatime.Midnight(*c.LastVisitAt).AddDate(0, 0, c.EveryDays)
		}
		if c.NextDue.Before(today) {
			c.Overdue = true
			c.DaysLate = int(today.Sub(c.NextDue).Hours()+12) / 24
		}
	}
	sort.SliceStable(cards, func(i, j int) bool {
		a, b := cards[i], cards[j]
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if !a.NextDue.Equal(b.NextDue) {
			return a.NextDue.Before(b.NextDue)
		}
		return colourRank(a.Colour) < colourRank(b.Colour)
	})
	return nil
}

func colourRank(c string) int {
	switch c {
	case Red:
		return 0
	case Yellow:
		return 1
	}
	return 2
}

// VisitList returns the people the volunteer is paired with today (alone, or through the teams of
// orgs, the organizations where they are a volunteer), as cards in the order of the board.
func (s *Service) VisitList(ctx context.Context, userID int64, orgs []int64) ([]Card, error) {
	cards := []Card{}
	err := s.db.SelectContext(ctx, &cards, cardQuery+` WHERE p.active AND EXISTS (SELECT 1 FROM care_pairings c
WHERE c.person_id = p.id AND (c.user_id = $1 OR (c.user_id IS NULL AND c.org_id = ANY($2)))
  AND c.starts_on <= $3::date AND (c.ends_on IS NULL OR c.ends_on >= $3::date)) ORDER BY p.id`,
		userID, pq.Int64Array(orgs), s.today())
	if err != nil {
		return nil, err
	}
	return cards, s.schedule(ctx, cards)
}
