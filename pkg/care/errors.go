package care

import (
	"database/sql"
	"errors"

	"github.com/lib/pq"
)

// notFound turns "no rows" into the area's not-found error.
func notFound(err, nf error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nf
	}
	return err
}

func isFK(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23503"
}
