package certificate

import "timebank/pkg/invariant"

// Checks are the certificates' invariants beyond their constraints, for `timebank verify`: each
// organization's numbers of a year run from 1 to its counter without a gap (a certificate is never
// deleted: revoked and superseded ones keep their number in the register).
var Checks = []invariant.Check{
	{Name: "certificate numbers run without gaps", Query: `
SELECT format('organization %s, %s: %s certificates numbered up to %s, counter at %s', c.org_id, c.year,
              count(x.id), coalesce(max(x.seq), 0), c.last)
FROM certificate_counters c LEFT JOIN certificates x ON x.org_id = c.org_id AND x.year = c.year
GROUP BY c.org_id, c.year, c.last
HAVING count(x.id) <> c.last OR coalesce(max(x.seq), 0) <> c.last
UNION ALL
SELECT format('organization %s, %s: certificate %s numbered without a counter', x.org_id, x.year, x.number)
FROM certificates x LEFT JOIN certificate_counters c ON c.org_id = x.org_id AND c.year = x.year
WHERE c.org_id IS NULL
LIMIT 20`},
}
