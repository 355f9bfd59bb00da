package activity

import "timebank/pkg/invariant"

// Checks are the recording service's invariants beyond its constraints: attendances and their
// records agree, a record's numbers are those of its latest revision, and every record that credits
// anything has its one earning in the ledger.
var Checks = []invariant.Check{
	{Name: "every verified attendance has one record, and every record a verified attendance", Query: `
SELECT format('attendance %s is %s with %s records', t.id, t.status, count(r.id))
FROM attendances t LEFT JOIN service_records r ON r.attendance_id = t.id
GROUP BY t.id, t.status HAVING (t.status = 'verified') <> (count(r.id) = 1) LIMIT 20`},
	{Name: "a record's numbers are those of its latest revision", Query: `
SELECT format('record %s: revision %s, %s minutes, %s credits; latest revision %s, %s, %s', r.id, r.revision,
              r.minutes, r.credits, v.revision, v.minutes, v.credits)
FROM service_records r
LEFT JOIN LATERAL (SELECT revision, minutes, credits FROM service_record_revisions
                   WHERE record_id = r.id ORDER BY revision DESC LIMIT 1) v ON true
WHERE v.revision IS DISTINCT FROM r.revision OR v.minutes <> r.minutes OR v.credits <> r.credits LIMIT 20`},
	{Name: "every record that credits anything has its one earning", Query: `
SELECT format('record %s revision %s credits %s: %s earnings', r.id, r.revision, r.credits, count(t.id))
FROM service_records r
LEFT JOIN ledger_transactions t ON t.idempotency_key = concat_ws(':', 'activity', 'record', r.id, 'rev', r.revision)
WHERE r.credits > 0
GROUP BY r.id, r.revision, r.credits HAVING count(t.id) <> 1 LIMIT 20`},
	{Name: "attendances are checked out after they were checked in", Query: `
SELECT format('attendance %s: in %s, out %s', id, check_in_at, check_out_at) FROM attendances
WHERE check_out_at < check_in_at LIMIT 20`},
}
