package care

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Frequency is the days between visits each colour requires.
type Frequency struct {
	Red    int `json:"red_days"`
	Yellow int `json:"yellow_days"`
	Green  int `json:"green_days"`
}

// DefaultFrequency is weekly, monthly and quarterly: the provincial rule for high-risk, key and
// general cases, within the 2022 guidance that every elderly person in special hardship is visited
// at least monthly.
var DefaultFrequency = Frequency{Red: 7, Yellow: 30, Green: 90}

// Days returns the days between visits a colour requires.
func (f Frequency) Days(colour string) int {
	switch colour {
	case Red:
		return f.Red
	case Yellow:
		return f.Yellow
	}
	return f.Green
}

// FrequencySetting is what a region sets itself: a nil colour inherits from the regions above.
type FrequencySetting struct {
	Red    *int `json:"red_days"`
	Yellow *int `json:"yellow_days"`
	Green  *int `json:"green_days"`
}

// FrequencyView is a region's frequencies as a form shows them: its own, and what is in force.
type FrequencyView struct {
	RegionCode string           `json:"region_code"`
	Own        FrequencySetting `json:"own"`
	Effective  Frequency        `json:"effective"`
}

// Frequency returns the region's own setting and the frequencies in force there: each colour from
// the nearest region at or above it that sets it, else the default.
func (s *Service) Frequency(ctx context.Context, region string) (FrequencyView, error) {
	codes := []string{region}
	for c := region; ; {
		p, err := org.ParentDivision(c)
		if err != nil {
			break
		}
		codes, c = append(codes, p), p
	}
	rows, err := s.db.QueryContext(ctx, `SELECT region_code, red_days, yellow_days, green_days FROM care_frequencies
WHERE region_code = ANY($1)`, pq.StringArray(codes))
	if err != nil {
		return FrequencyView{}, err
	}
	defer rows.Close()
	set := map[string]FrequencySetting{}
	for rows.Next() {
		var code string
		var r, y, g sql.NullInt32
		if err := rows.Scan(&code, &r, &y, &g); err != nil {
			return FrequencyView{}, err
		}
		set[code] = FrequencySetting{Red: ptr(r), Yellow: ptr(y), Green: ptr(g)}
	}
	if err := rows.Err(); err != nil {
		return FrequencyView{}, err
	}
	v := FrequencyView{RegionCode: region, Own: set[region], Effective: DefaultFrequency}
	for i := len(codes) - 1; i >= 0; i-- { // the top first, each lower level overriding
		f := set[codes[i]]
		apply(&v.Effective.Red, f.Red)
		apply(&v.Effective.Yellow, f.Yellow)
		apply(&v.Effective.Green, f.Green)
	}
	return v, nil
}

func ptr(n sql.NullInt32) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int32)
	return &v
}

func apply(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}

// SetFrequency replaces the region's own frequencies, with an audit entry.
// Errors: ErrInvalid (*fields.Error: red_days, yellow_days, green_days out of 1–366; region_code not_found).
func (s *Service) SetFrequency(ctx context.Context, by *principal.Principal, region string, f FrequencySetting) (FrequencyView, error) {
	bad := fields.Set{}
	for name, v := range map[string]*int{"red_days": f.Red, "yellow_days": f.Yellow, "green_days": f.Green} {
		if v != nil && (*v < 1 || *v > 366) {
			bad[name] = "range"
		}
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return FrequencyView{}, err
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO care_frequencies (region_code, red_days, yellow_days, green_days, updated_by)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_code) DO UPDATE SET red_days = EXCLUDED.red_days,
    yellow_days = EXCLUDED.yellow_days, green_days = EXCLUDED.green_days, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			region, f.Red, f.Yellow, f.Green, by.Label())
		if isFK(err) {
			return invalid("region_code", "not_found")
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.frequency", Target: "region:" + region,
			RegionCode: region, After: f})
	})
	if err != nil {
		return FrequencyView{}, err
	}
	return s.Frequency(ctx, region)
}
