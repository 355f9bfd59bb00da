// Package store is the charity supermarket (公益仓): its catalogue, stock held in lots, the stock
// journal, donations with their acknowledgements, online orders paid with held credits, the
// counter where orders are handed out and walk-in sales are made, and the reports and warnings
// that keep stock matching the books (账物相符).
//
// PostgreSQL keeps the invariants (see migrations/00005_store.sql): a lot's on-hand never goes
// below zero and its reserved never exceeds its on-hand; its quantities change only through an
// append-only journal of movements; an order is resolved once. The Go code checks the same things
// first, so that a refusal names the item and the reason.
//
// Credits move through the ledger inside the same PostgreSQL transaction as the stock: an order
// reserves stock and holds the volunteer's credits together, a hand-out commits the hold for what
// was handed out and releases the rest, and a walk-in sale hands out and posts at once. Nothing is
// ever half done.
//
// Households in hardship (低保, 特困, 边缘户) receive goods by allocation instead (aid.go): the goods
// leave the shelf through the same journal, and no credits move. A household is kept masked, with
// the consent its registration needs, and is never named in audit entries or reports.
//
// Quantities are whole units (int); prices and credits are integer minutes (int64); estimated
// values of donations are integer fen. Calendar days (best-before dates, limit periods, the day
// report) are days in China Standard Time.
package store
