package identity

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/access"
)

// ImportTx creates users for volunteers an organization imported, inside the caller's transaction,
// in a few statements however many there are: each gets a volunteer number and a ledger account,
// but no password, so nobody can log in until the person registers the number themselves (see
// Register). Phones, names and resident IDs must already be normalised (pkg/roster does).
// Errors: ErrPhoneTaken, ErrResidentIDTaken.
func (u *Users) ImportTx(ctx context.Context, tx *sqlx.Tx, regs []Registration) ([]int64, error) {
	if len(regs) == 0 {
		return nil, nil
	}
	phones, names := make([]string, len(regs)), make([]string, len(regs))
	hashes, masked, genders := make([]*string, len(regs)), make([]*string, len(regs)), make([]*string, len(regs))
	births := make([]*time.Time, len(regs))
	for i, r := range regs {
		phones[i], names[i] = r.Phone, r.Name
		if r.ResidentID == "" {
			continue
		}
		h, m := HashResidentID(u.idKey, r.ResidentID), MaskResidentID(r.ResidentID)
		hashes[i], masked[i] = &h, &m
		if g, err := GenderFromResidentID(r.ResidentID); err == nil {
			s := string(g)
			genders[i] = &s
		}
		if b, err := BirthDateFromResidentID(r.ResidentID); err == nil {
			births[i] = &b
		}
	}
	const q = `
WITH rows AS (
    SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id, r.*
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[])
         AS r (phone, name, id_hash, id_masked, gender, birth)
)
INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code,
                   resident_id_hash, resident_id_masked, gender, birth_date)
SELECT id, phone, '` + unusablePassword + `', name, 'V' || lpad(id::text, 9, '0'), 'vol:' || id, id_hash, id_masked, gender, birth
FROM rows
RETURNING id, account_code`
	rows, err := tx.QueryContext(ctx, q, pq.Array(phones), pq.Array(names), pq.Array(hashes), pq.Array(masked),
		pq.Array(genders), pq.Array(births))
	if err != nil {
		return nil, userError(err)
	}
	defer rows.Close()
	ids := make([]int64, 0, len(regs))
	codes := make([]string, 0, len(regs))
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		ids, codes = append(ids, id), append(codes, code)
	}
	if err := rows.Err(); err != nil {
		return nil, userError(err)
	}
	if err := u.ledger.CreateGuardedAccountsTx(ctx, tx, ledger.KindVolunteer, codes); err != nil {
		return nil, err
	}
	return ids, nil
}

// GrantManyTx gives every listed user the same role at the same scope, in one statement; those who
// hold it already are left alone. The caller records the change in the audit log once, for all.
// Errors: ErrInvalid (*fields.Error), ErrUserNotFound, ErrScopeNotFound.
func (u *Users) GrantManyTx(ctx context.Context, tx *sqlx.Tx, ch Change, userIDs []int64, g access.Grant) (int, error) {
	if err := checkGrant(g); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `
INSERT INTO role_grants (user_id, role, scope_kind, region_code, org_id, store_id, granted_by)
SELECT uid, $2, $3, nullif($4, ''), nullif($5, 0), nullif($6, 0), $7 FROM unnest($1::bigint[]) AS uid
ON CONFLICT DO NOTHING`, pq.Array(userIDs), g.Role, g.Kind, g.RegionCode, g.OrgID, g.StoreID, ch.Actor.Label())
	if err != nil {
		return 0, grantError(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
