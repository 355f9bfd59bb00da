// Package report keeps the figures regions, organizations and stores steer by: per day and per
// organization or store, the volunteers active and new, the verified service minutes (scanned and
// added by hand, 补录, apart), the activities held, the credits issued and redeemed (from the
// ledger), the orders and walk-in sales, the goods received and handed out, the households helped and
// the certificates issued.
//
// The figures live in report_daily, recomputed a day at a time from that day's rows: a worker does
// today and yesterday on a timer and the days that records and activities written since its last run
// fall on; Rebuild does any range from scratch; Checks compares the table with a recount for
// `timebank verify`. A summary (a region's, an organization's, a store's) reads only that table, so a
// province's page costs the same whether its postings number thousands or billions.
package report
