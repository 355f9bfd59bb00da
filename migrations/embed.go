// Package migrations holds the numbered SQL migrations of the database schema, embedded into the binary
// and applied in order by goose.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
