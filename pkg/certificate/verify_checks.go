package certificate

import "timebank/pkg/invariant"

// series checks the numbering of the (organization, year) series whose condition (on c, the
// counter, or x, a certificate, both with org_id and year) holds.
func series(counters, certificates string) string {
	return `
SELECT format('organization %s, %s: %s certificates numbered up to %s, counter at %s', c.org_id, c.year,
              count(x.id), coalesce(max(x.seq), 0), c.last)
FROM certificate_counters c LEFT JOIN certificates x ON x.org_id = c.org_id AND x.year = c.year
WHERE ` + counters + `
GROUP BY c.org_id, c.year, c.last
HAVING count(x.id) <> c.last OR coalesce(max(x.seq), 0) <> c.last
UNION ALL
SELECT format('organization %s, %s: certificate %s numbered without a counter', x.org_id, x.year, x.number)
FROM certificates x LEFT JOIN certificate_counters c ON c.org_id = x.org_id AND c.year = x.year
WHERE ` + certificates + ` AND c.org_id IS NULL
LIMIT 20`
}

// issued are the series of the certificates $1 < id <= $2.
const issued = `(SELECT org_id, year FROM certificates WHERE id > $1 AND id <= $2)`

// Checks are the certificates' invariants beyond their constraints, for `timebank verify`: each
// organization's numbers of a year run from 1 to its counter without a gap (a certificate is never
// deleted: revoked and superseded ones keep their number in the register). From a checkpoint, the
// series of the certificates issued after it are checked whole; `--full` checks every series.
var Checks = []invariant.Check{
	{Name: "certificate numbers run without gaps",
		Query: series("true", "true"),
		After: series("(c.org_id, c.year) IN "+issued, "(x.org_id, x.year) IN "+issued),
		Since: "certificate: series",
		Last:  `SELECT coalesce(max(id), 0) FROM certificates WHERE created_at < now() - make_interval(secs => $1)`,
		// What a certificate's number is does not change (its status does).
		Digest: `SELECT coalesce((SELECT concat_ws(':', id, org_id, year, seq, number) FROM certificates WHERE id = $1), '')`},
}
