package identity

import (
	"context"

	"github.com/lib/pq"
)

// Known tells which of the phone numbers and resident ID numbers belong to users already: it maps
// each known one to its user's id. A bulk import uses it to leave existing people alone and to
// refuse a row whose ID number is someone else's, before it writes anything.
func (u *Users) Known(ctx context.Context, phones, residentIDs []string) (byPhone, byID map[string]int64, err error) {
	byPhone, byID = map[string]int64{}, map[string]int64{}
	hashes := make([]string, len(residentIDs))
	idOf := map[string]string{}
	for i, id := range residentIDs {
		hashes[i] = HashResidentID(u.idKey, id)
		idOf[hashes[i]] = id
	}
	rows, err := u.db.QueryContext(ctx, `SELECT id, phone, coalesce(resident_id_hash, '') FROM users
		WHERE phone = ANY($1) OR resident_id_hash = ANY($2)`, pq.Array(phones), pq.Array(hashes))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	wanted := map[string]bool{}
	for _, p := range phones {
		wanted[p] = true
	}
	for rows.Next() {
		var id int64
		var phone, hash string
		if err := rows.Scan(&id, &phone, &hash); err != nil {
			return nil, nil, err
		}
		if wanted[phone] {
			byPhone[phone] = id
		}
		if rid, ok := idOf[hash]; ok {
			byID[rid] = id
		}
	}
	return byPhone, byID, rows.Err()
}
