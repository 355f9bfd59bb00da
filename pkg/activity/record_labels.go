package activity

import (
	"context"

	"github.com/lib/pq"
)

// RecordLabel is what names a service record to its volunteer: the activity and the day served.
type RecordLabel struct {
	ID            int64  `db:"id"`
	ActivityTitle string `db:"activity_title"`
	ServiceDate   string `db:"service_date"` // YYYY-MM-DD, China Standard Time
}

// RecordLabels returns the labels of the records, by id, in one query; an id with no record is
// left out. A statement names its earnings with them.
// Errors: none of its own (database errors only).
func (s *Service) RecordLabels(ctx context.Context, ids []int64) (map[int64]RecordLabel, error) {
	out := map[int64]RecordLabel{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []RecordLabel
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, activity_title, to_char(service_date, 'YYYY-MM-DD') AS service_date
FROM service_records WHERE id = ANY($1)`, pq.Int64Array(ids)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
