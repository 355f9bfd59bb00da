// Package ledger is the double-entry ledger of time credits: accounts, transactions, postings and
// two-phase holds, in integer minutes.
//
// PostgreSQL is the truth and enforces the invariants (zero-sum transactions, no overdraft on guarded
// accounts, append-only history); every write is one call of a SQL function, so a posting costs one
// round trip. Redis holds a live projection of every balance, written after commit with a script that
// never lets an older version overwrite a newer one, and repaired from an outbox by a relay when that
// write is lost. The ledger knows nothing of volunteers, activities or goods.
package ledger
