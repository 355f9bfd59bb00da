package activity

import "timebank/pkg/invariant"

// The keys the checks run from a checkpoint by: attendances by id, once decided (a decided
// attendance does not change: its record changes by revisions), and records by the ids of their
// revisions (a record is written with its first revision, and every change of its numbers adds one).
const (
	// attendanceLast is the newest attendance a checkpoint may reach: older than the settling time
	// ($1, seconds) and below every attendance still open or waiting for a decision (a run reads up
	// to the newest, attendanceKeys).
	attendanceLast = `SELECT least(
    (SELECT coalesce(max(id), 0) FROM attendances WHERE created_at < now() - make_interval(secs => $1)),
    (SELECT coalesce(min(id) - 1, 9223372036854775807) FROM attendances WHERE status IN ('open', 'closed')))`
	attendanceDigest = `SELECT coalesce((SELECT md5(t::text) FROM attendances t WHERE t.id = $1), '')`

	// revisionLast is the newest revision a checkpoint may reach: older than the settling time.
	revisionLast = `SELECT coalesce(max(id), 0) FROM service_record_revisions
WHERE created_at < now() - make_interval(secs => $1)`
	revisionDigest = `SELECT coalesce((SELECT md5(v::text) FROM service_record_revisions v WHERE v.id = $1), '')`
)

const attendanceRecords = `
SELECT format('attendance %s is %s with %s records', t.id, t.status, count(r.id))
FROM attendances t LEFT JOIN service_records r ON r.attendance_id = t.id
WHERE t.id > $1 AND t.id <= $2
GROUP BY t.id, t.status HAVING (t.status = 'verified') <> (count(r.id) = 1) LIMIT 20`

const checkedOut = `
SELECT format('attendance %s: in %s, out %s', id, check_in_at, check_out_at) FROM attendances
WHERE id > $1 AND id <= $2 AND check_out_at < check_in_at LIMIT 20`

// latest checks that the records whose condition (on r.id) holds carry their latest revision's numbers.
func latestCheck(records string) string {
	return `
SELECT format('record %s: revision %s, %s minutes, %s credits; latest revision %s, %s, %s', r.id, r.revision,
              r.minutes, r.credits, v.revision, v.minutes, v.credits)
FROM service_records r
LEFT JOIN LATERAL (SELECT revision, minutes, credits FROM service_record_revisions
                   WHERE record_id = r.id ORDER BY revision DESC LIMIT 1) v ON true
WHERE ` + records + ` AND (v.revision IS DISTINCT FROM r.revision OR v.minutes <> r.minutes OR v.credits <> r.credits) LIMIT 20`
}

// earning checks that the records whose condition (on r.id) holds and credit anything have one earning.
func earningCheck(records string) string {
	return `
SELECT format('record %s revision %s credits %s: %s earnings', r.id, r.revision, r.credits, count(t.id))
FROM service_records r
LEFT JOIN ledger_transactions t ON t.idempotency_key = concat_ws(':', 'activity', 'record', r.id, 'rev', r.revision)
WHERE ` + records + ` AND r.credits > 0
GROUP BY r.id, r.revision, r.credits HAVING count(t.id) <> 1 LIMIT 20`
}

// recordAttendance checks that the records whose condition (on r.id) holds have a verified attendance.
func recordAttendance(records string) string {
	return `
SELECT format('record %s: attendance %s is %s', r.id, t.id, t.status)
FROM service_records r JOIN attendances t ON t.id = r.attendance_id
WHERE ` + records + ` AND t.status <> 'verified' LIMIT 20`
}

const (
	everyRecord   = `true`
	revisedRecord = `r.id IN (SELECT record_id FROM service_record_revisions WHERE id > $1 AND id <= $2)`
)

// Checks are the recording service's invariants beyond its constraints: attendances and their
// records agree, a record's numbers are those of its latest revision, and every record that credits
// anything has its one earning in the ledger. Each can run from a checkpoint: the attendances after
// the last one found clean, the records revised since; `--full` reads them all.
var Checks = []invariant.Check{
	{Name: "every verified attendance has one record, and every record a verified attendance",
		Query: attendanceRecords, Keys: attendanceKeys, After: attendanceRecords,
		Since: "activity: attendances' records", Last: attendanceLast, Newest: attendanceKeys, Digest: attendanceDigest},
	{Name: "every revised record's attendance is verified",
		Query: recordAttendance(everyRecord), After: recordAttendance(revisedRecord),
		Since: "activity: records' attendances", Last: revisionLast, Digest: revisionDigest},
	{Name: "a record's numbers are those of its latest revision",
		Query: latestCheck(everyRecord), After: latestCheck(revisedRecord),
		Since: "activity: records' revisions", Last: revisionLast, Digest: revisionDigest},
	{Name: "every record that credits anything has its one earning",
		Query: earningCheck(everyRecord), After: earningCheck(revisedRecord),
		Since: "activity: records' earnings", Last: revisionLast, Digest: revisionDigest},
	{Name: "attendances are checked out after they were checked in",
		Query: checkedOut, Keys: attendanceKeys, After: checkedOut,
		Since: "activity: check-out times", Last: attendanceLast, Newest: attendanceKeys, Digest: attendanceDigest},
}

// attendanceKeys are the lowest and highest attendance ids; the highest is the newest key too (see
// invariant.Check's Newest).
const attendanceKeys = `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM attendances`
