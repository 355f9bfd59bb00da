package care

import (
	"context"

	"github.com/lib/pq"

	"timebank/pkg/identity"
)

// PairTeam is an organization a person may be paired with, as a whole team or by one of its
// people.
type PairTeam struct {
	OrgID   int64  `db:"id"`
	OrgName string `db:"name"`
	People  []PairCandidate
}

// PairCandidate is a person of a team who may be paired: their phone masked, to tell two of a name
// apart.
type PairCandidate struct {
	UserID int64  `db:"user_id"`
	Name   string `db:"name"`
	Phone  string `db:"phone"`
}

// PairCandidates are whom a person of the region can be paired with: each organization of its
// community or street (Target's, by id), and in each the people holding an active role of the
// organization itself (not of one of its stores), each once, the most recently granted first.
func (s *Service) PairCandidates(ctx context.Context, region string) ([]PairTeam, error) {
	t, err := s.Target(ctx, region)
	if err != nil {
		return nil, err
	}
	teams := []PairTeam{}
	if err := s.db.SelectContext(ctx, &teams, `SELECT id, name FROM organizations WHERE id = ANY($1) ORDER BY id`,
		pq.Int64Array(t.OrgIDs)); err != nil {
		return nil, err
	}
	var rows []struct {
		OrgID int64 `db:"org_id"`
		PairCandidate
	}
	err = s.db.SelectContext(ctx, &rows, `SELECT g.org_id, g.user_id, u.name, u.phone
FROM role_grants g JOIN users u ON u.id = g.user_id
WHERE g.revoked_at IS NULL AND g.org_id = ANY($1) AND g.store_id IS NULL
ORDER BY g.org_id, g.id DESC`, pq.Int64Array(t.OrgIDs))
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(teams))
	for i, o := range teams {
		at[o.OrgID] = i
	}
	seen := map[[2]int64]bool{}
	for _, r := range rows {
		i, ok := at[r.OrgID]
		if !ok || seen[[2]int64{r.OrgID, r.UserID}] {
			continue
		}
		seen[[2]int64{r.OrgID, r.UserID}] = true
		c := r.PairCandidate
		c.Phone = identity.MaskPhone(c.Phone)
		teams[i].People = append(teams[i].People, c)
	}
	return teams, nil
}
