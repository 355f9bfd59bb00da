package org

import (
	"strconv"
	"sync"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
)

// Registry is the register of regions, organizations and stores. It is safe for concurrent use.
type Registry struct {
	db     *sqlx.DB
	ledger *ledger.Ledger
	// storeTargets keeps each store's Target (int64 to Target) once read: it never changes.
	storeTargets sync.Map
}

// NewRegistry returns the registry over the migrated database; organizations and stores get their
// accounts in the ledger l, which must write to the same database.
func NewRegistry(db *sqlx.DB, l *ledger.Ledger) *Registry {
	return &Registry{db: db, ledger: l}
}

// Page sizes of the keyset-paged lists.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

func pageLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// normalizeCode returns the 12-digit form and the level of a division code.
func normalizeCode(code string) (string, Level, bool) {
	l, err := DivisionLevel(code)
	if err != nil {
		return "", 0, false
	}
	c, _ := normalizeDivision(code)
	return c, l, true
}

// ref names a thing in audit entries: "org:7".
func ref(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }
