package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/chinatime"
)

// scaleIDs are the largest ids each table held before the load; the load numbers its rows after them.
type scaleIDs struct {
	user, org, store, account, activity, attendance, record, revision, tx, posting int64
}

// scaleTables are the tables a load fills, with the identity column of each (for the ids and the
// sequences afterwards).
var scaleTables = []string{"users", "organizations", "stores", "ledger_accounts", "activities", "attendances",
	"service_records", "service_record_revisions", "ledger_transactions", "ledger_postings"}

func readIDs(ctx context.Context, db *sqlx.DB) (scaleIDs, error) {
	var v [10]int64
	for i, t := range scaleTables {
		if err := db.GetContext(ctx, &v[i], `SELECT coalesce(max(id), 0) FROM `+t); err != nil {
			return scaleIDs{}, err
		}
	}
	return scaleIDs{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]}, nil
}

// scaleLoad is one load under way: the plan, the first ids, and the running balances of the accounts.
type scaleLoad struct {
	plan     scalePlan
	ids      scaleIDs
	category string
	rng      *mrand.Rand
	c        *copies
	orgName  []string
	volBal   []int64 // posted, by volunteer index
	volVer   []int32
	orgBal   [][scaleAccountSlots]int64 // issuing accounts, by organization and slot
	orgVer   [][scaleAccountSlots]int32
	storeBal [][scaleAccountSlots]int64
	storeVer [][scaleAccountSlots]int32
	nextTx   int64 // ids handed out so far, past the bases
	nextPost int64
	nextRec  int64
	counts   map[string]int64
}

func (l *scaleLoad) userID(v int) int64     { return l.ids.user + 1 + int64(v) }
func (l *scaleLoad) orgID(o int) int64      { return l.ids.org + 1 + int64(o) }
func (l *scaleLoad) storeID(s int) int64    { return l.ids.store + 1 + int64(s) }
func (l *scaleLoad) volAccount(v int) int64 { return l.ids.account + 1 + int64(v) }
func (l *scaleLoad) orgAccount(o int) int64 { return l.ids.account + 1 + int64(l.plan.Volunteers+o) }
func (l *scaleLoad) storeAccount(s int) int64 {
	return l.ids.account + 1 + int64(l.plan.Volunteers+l.plan.Orgs+s)
}

// active says whether volunteer v served in the year, and home is the organization they serve with:
// a hash of the index, so that both are the same in every pass.
func active(v int) bool    { return mix(uint64(v))%100 < scaleActivePercent }
func home(v, orgs int) int { return int(mix(uint64(v)^0x9e3779b97f4a7c15) % uint64(orgs)) }
func mix(x uint64) uint64 { // splitmix64
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// loadScale fills the migrated database db with the plan's province and returns the rows it wrote by
// table. progress is told what it is doing. Streamed (a superuser only), the tables are filled at
// once with triggers off, and the caller must check the foreign keys (afterLoad) and verify;
// otherwise they are filled in turn from memory, in one transaction with every trigger on.
func loadScale(ctx context.Context, db *sqlx.DB, p scalePlan, streamed bool, progress func(string)) (map[string]int64, error) {
	ids, err := readIDs(ctx, db)
	if err != nil {
		return nil, err
	}
	l := &scaleLoad{plan: p, ids: ids, rng: mrand.New(mrand.NewPCG(1, 2)), c: &copies{db: db, streamed: streamed}, counts: map[string]int64{},
		volBal: make([]int64, p.Volunteers), volVer: make([]int32, p.Volunteers),
		orgBal: make([][scaleAccountSlots]int64, p.Orgs), orgVer: make([][scaleAccountSlots]int32, p.Orgs),
		storeBal: make([][scaleAccountSlots]int64, p.Stores), storeVer: make([][scaleAccountSlots]int32, p.Stores)}
	if err := db.GetContext(ctx, &l.category, `SELECT code FROM activity_categories ORDER BY sort, code LIMIT 1`); err != nil {
		return nil, fmt.Errorf("activity categories: %w", err)
	}
	var regionCount int64
	if err := db.GetContext(ctx, &regionCount, `SELECT count(*) FROM regions WHERE code = $1`, scaleProvince); err != nil {
		return nil, err
	}
	if regionCount > 0 {
		return nil, fmt.Errorf("bench scale: the database already holds the province %s: load into a fresh one", scaleProvince)
	}
	for _, spec := range []string{
		"regions(code, name, level, parent_code)",
		"organizations(id, name, region_code, status, filed_by, account_code, created_at)",
		"stores(id, org_id, name, address, account_code, created_at)",
		"users(id, phone, password_hash, name, volunteer_no, account_code, created_at, password_changed_at)",
		"ledger_accounts(id, code, kind, allow_negative, slots, created_at)",
		"ledger_balances(account_id, slot, allow_negative, posted, pending, version)",
		"activities(id, org_id, title, category, address, starts_at, ends_at, leader_name, created_by, created_at)",
		"attendances(id, activity_id, user_id, source, check_in_at, check_out_at, check_in_by, check_out_by, manual_minutes, manual_reason, requested_by, status, decided_by, decided_at, created_at)",
		"service_records(id, attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date, place, content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits, created_at)",
		"ledger_transactions(id, kind, reference, created_by, idempotency_key, request_hash, created_at)",
		"service_record_revisions(id, record_id, revision, minutes, credits, served_from, served_to, day_dates, day_minutes, earn_tx_id, created_by, created_at)",
		"ledger_postings(id, tx_id, account_id, slot, amount, balance_after, version_after, created_at)",
	} {
		if err := l.c.open(ctx, spec); err != nil {
			l.c.closeAll(ctx)
			return nil, err
		}
	}
	progress("regions, organizations and stores")
	l.tree()
	progress(fmt.Sprintf("%d volunteers and their accounts", p.Volunteers))
	l.volunteers()
	progress("a year of activities, records and postings")
	l.history()
	progress("balances")
	l.balances()
	progress("committing")
	err = l.c.closeAll(ctx)
	for name, s := range l.c.by {
		l.counts[name] = s.n
	}
	return l.counts, err
}

// tree writes the regions, the organizations (every 20th at its street, the others in communities,
// all filed with their street) with their issuing accounts, and the stores of the first street-level
// organizations with their redemption accounts.
func (l *scaleLoad) tree() {
	var streets, communities []region
	for _, r := range l.plan.regions() {
		var parent any
		if r.parent != "" {
			parent = r.parent
		}
		l.c.get("regions").add(r.code, r.name, r.level, parent)
		switch r.level {
		case 4:
			streets = append(streets, r)
		case 5:
			communities = append(communities, r)
		}
	}
	streetOf := func(code string) string { return code[:9] + "000" }
	created := l.plan.Today.AddDate(-3, 0, 0)
	l.orgName = make([]string, l.plan.Orgs)
	for o := range l.plan.Orgs {
		at := communities[o%len(communities)]
		kind := "志愿服务队"
		if o%scaleStreetOrgEvery == 0 {
			at, kind = streets[(o/scaleStreetOrgEvery)%len(streets)], "志愿者协会"
		}
		id := l.orgID(o)
		l.orgName[o] = fmt.Sprintf("%s%s%d", at.name, kind, o/len(communities)+1)
		code := fmt.Sprintf("org:%d:issued", id)
		l.c.get("organizations").add(id, l.orgName[o], at.code, "filed", streetOf(at.code), code, created)
		l.c.get("ledger_accounts").add(l.orgAccount(o), code, "issuer", true, scaleAccountSlots, created)
	}
	for s := range l.plan.Stores {
		id := l.storeID(s)
		code := fmt.Sprintf("store:%d:redeemed", id)
		l.c.get("stores").add(id, l.orgID(s*scaleStreetOrgEvery), fmt.Sprintf("公益仓%d号", s+1), "服务中心一楼", code, created)
		l.c.get("ledger_accounts").add(l.storeAccount(s), code, "store", true, scaleAccountSlots, created)
	}
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
	givens   = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文斌辉鹏宇浩晨欣怡佳琪")
)

// volunteers writes every volunteer (registered over the last five years) with their account; the
// balances come last, once the history has moved them.
func (l *scaleLoad) volunteers() {
	for v := range l.plan.Volunteers {
		id := l.userID(v)
		h := mix(uint64(id))
		name := string(surnames[h%uint64(len(surnames))]) + string(givens[(h>>8)%uint64(len(givens))])
		if h>>16%3 == 0 {
			name += string(givens[(h>>24)%uint64(len(givens))])
		}
		created := l.plan.Today.Add(-time.Duration(h>>32%(5*365*24*3600)) * time.Second)
		code := "vol:" + strconv.FormatInt(id, 10)
		l.c.get("users").add(id, strconv.FormatInt(13_000_000_000+id, 10), "!", name, fmt.Sprintf("V%09d", id), code, created, created)
		l.c.get("ledger_accounts").add(l.volAccount(v), code, "volunteer", false, 1, created)
	}
}

// balances writes every account's balance rows as the history left them.
func (l *scaleLoad) balances() {
	for v := range l.plan.Volunteers {
		l.c.get("ledger_balances").add(l.volAccount(v), 0, false, l.volBal[v], 0, l.volVer[v])
	}
	for o := range l.plan.Orgs {
		for s := range scaleAccountSlots {
			l.c.get("ledger_balances").add(l.orgAccount(o), s, true, l.orgBal[o][s], 0, l.orgVer[o][s])
		}
	}
	for st := range l.plan.Stores {
		for s := range scaleAccountSlots {
			l.c.get("ledger_balances").add(l.storeAccount(st), s, true, l.storeBal[st][s], 0, l.storeVer[st][s])
		}
	}
}

// chinaDay is the day of t in China, as PostgreSQL reads a date.
func chinaDay(t time.Time) string { return t.In(chinatime.Zone()).Format(time.DateOnly) }

// sortedByEnd returns the activities' indexes in order of their end, ties by index.
func sortedByEnd(ends []int64) []int32 {
	order := make([]int32, len(ends))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if ends[a] != ends[b] {
			return int(ends[a] - ends[b])
		}
		return int(a - b)
	})
	return order
}

// requestHash stands for the hash of a posted request (the ledger keeps it to tell a retry from a
// conflicting reuse of a key).
func requestHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}
