package main

import (
	"fmt"
	"slices"
	"time"

	"timebank/pkg/chinatime"
)

// history writes the year: every organization's activities, and, in the order the activities ended,
// each active volunteer's attendances with their verified records, the earnings they credited and
// the redemptions that followed. Ledger ids and times then grow together, as the report worker's
// search of transactions by time expects.
func (l *scaleLoad) history() {
	p := l.plan
	n := p.Orgs * scaleActivitiesOrg
	starts, ends := make([]int64, n), make([]int64, n)
	first := chinatime.Midnight(p.Today).AddDate(0, 0, -365)
	for i := range n {
		day := first.AddDate(0, 0, l.rng.IntN(365))
		start := day.Add(time.Duration(8+l.rng.IntN(9))*time.Hour + time.Duration(l.rng.IntN(2))*30*time.Minute)
		starts[i] = start.Unix()
		ends[i] = start.Add(time.Duration(4+l.rng.IntN(5)) * 30 * time.Minute).Unix()
	}
	order := sortedByEnd(ends)
	rank := make([]int32, n)
	for pos, i := range order {
		rank[i] = int32(pos)
	}
	// Who came to what: (position of the activity in time, volunteer), sorted.
	var came []uint64
	slots := make([]int, scaleActivitiesOrg)
	for v := range p.Volunteers {
		if !active(v) {
			continue
		}
		o := home(v, p.Orgs)
		for j := range slots {
			slots[j] = j
		}
		l.rng.Shuffle(len(slots), func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })
		for _, j := range slots[:1+l.rng.IntN(scaleMaxRecords)] {
			came = append(came, uint64(rank[o*scaleActivitiesOrg+j])<<32|uint64(v))
		}
	}
	slices.Sort(came)
	next := 0
	for pos, i := range order {
		o := int(i) / scaleActivitiesOrg
		actID := l.ids.activity + 1 + int64(pos)
		start, end := time.Unix(starts[i], 0), time.Unix(ends[i], 0)
		l.c.get("activities").add(actID, l.orgID(o), "邻里互助服务", l.category, "社区服务中心", start, end, "王老师",
			scaleCreatedBy, start.AddDate(0, 0, -7))
		sec := 0
		for ; next < len(came) && int(came[next]>>32) == pos; next++ {
			l.attend(int(came[next]&0xffffffff), o, actID, start, end, &sec)
		}
	}
}

// attend writes volunteer v's attendance at activity actID of organization o, its verified record
// and earning, and maybe a redemption; sec counts the seconds after the end that the activity's
// writes take, one a transaction.
func (l *scaleLoad) attend(v, o int, actID int64, start, end time.Time, sec *int) {
	l.nextRec++
	rec := l.ids.record + l.nextRec
	att, rev := l.ids.attendance+l.nextRec, l.ids.revision+l.nextRec
	user := l.userID(v)
	at := end.Add(time.Duration(*sec) * time.Second)
	*sec++
	var minutes int64
	kind := "scan"
	if l.rng.IntN(20) == 0 {
		kind, minutes = "manual", int64(end.Sub(start)/time.Minute)
		l.c.get("attendances").add(att, actID, user, "manual", nil, nil, nil, nil, minutes, "补录：现场未扫码", scaleCreatedBy,
			"verified", scaleCreatedBy, at, at)
	} else {
		in := start.Add(time.Duration(l.rng.IntN(15)) * time.Minute)
		out := end.Add(-time.Duration(l.rng.IntN(15)) * time.Minute)
		minutes = int64(out.Sub(in) / time.Minute)
		l.c.get("attendances").add(att, actID, user, "scan", in, out, scaleCreatedBy, scaleCreatedBy, nil, nil, nil,
			"verified", scaleCreatedBy, at, in)
	}
	day := chinaDay(start)
	l.c.get("service_records").add(rec, att, actID, user, l.orgID(o), kind, "邻里互助服务", day, "社区服务中心",
		"邻里互助服务", l.category, l.orgName[o], "王老师", "", scaleCreatedBy, "系统", minutes, minutes, at)
	key := fmt.Sprintf("activity:record:%d:rev:1", rec)
	tx := l.post("earn", fmt.Sprintf("activity:record:%d", rec), key, at,
		l.orgAccount(o), &l.orgBal[o], &l.orgVer[o], l.volAccount(v), v, minutes)
	l.c.get("service_record_revisions").add(rev, rec, 1, minutes, minutes, start, end, "{"+day+"}",
		fmt.Sprintf("{%d}", minutes), tx, scaleCreatedBy, at)
	if l.rng.IntN(scaleRedeemOneIn) != 0 || l.volBal[v] < 30 {
		return
	}
	amount := min(l.volBal[v], int64(30+l.rng.IntN(91)))
	s := l.rng.IntN(l.plan.Stores)
	at = end.Add(time.Duration(*sec) * time.Second)
	*sec++
	l.post("redeem", "store:walk-in", fmt.Sprintf("bench:scale:redeem:%d", rec), at,
		l.storeAccount(s), &l.storeBal[s], &l.storeVer[s], l.volAccount(v), v, -amount)
}

// post writes one transaction of amount from a split account (an issuer or a store, which takes
// -amount on its next slot round robin) to volunteer v (who takes amount), with both postings'
// running balances, and returns its id.
func (l *scaleLoad) post(kind, ref, key string, at time.Time, split int64, bal *[scaleAccountSlots]int64,
	ver *[scaleAccountSlots]int32, vol int64, v int, amount int64) int64 {
	l.nextTx++
	tx := l.ids.tx + l.nextTx
	l.c.get("ledger_transactions").add(tx, kind, ref, scaleCreatedBy, key, requestHash(key), at)
	slot := int(l.nextTx % scaleAccountSlots)
	bal[slot] -= amount
	ver[slot]++
	l.volBal[v] += amount
	l.volVer[v]++
	l.nextPost += 2
	l.c.get("ledger_postings").add(l.ids.posting+l.nextPost-1, tx, split, slot, -amount, bal[slot], ver[slot], at)
	l.c.get("ledger_postings").add(l.ids.posting+l.nextPost, tx, vol, 0, amount, l.volBal[v], l.volVer[v], at)
	return tx
}
