package ledger

import (
	"sync"
	"sync/atomic"
	"time"
)

// maxUnprojected bounds how many accounts the projector remembers one by one as owed to Redis.
const maxUnprojected = 100_000

// unprojected remembers the balance rows this process committed but could not write to Redis (Redis
// failed, or the breaker was open): per account, the version of each row PostgreSQL holds. Until
// Redis is known to hold that version or a newer one (a later write of the row, a read that falls
// back to PostgreSQL and repairs Redis, the relay, reconcile), reads of the account skip Redis:
// otherwise a reader could be served a balance from before a posting that has already returned.
//
// A long outage over many accounts would make this grow without end, so past limit accounts it
// forgets them and owes every account instead, until the relay has drained every outbox row up to
// the newest change it skipped (its commit time, which is the row's created_at).
type unprojected struct {
	limit  int
	owing  atomic.Bool // anything owed at all: lets every read but the rare one skip the lock
	mu     sync.Mutex
	rows   map[string]map[int]int64 // code → slot → version committed
	newest time.Time                // the newest commit among the changes owed
	all    bool                     // every account is owed, up to newest
	adds   uint64                   // calls of add, so that drained can tell one came meanwhile
}

func newUnprojected(limit int) *unprojected {
	return &unprojected{limit: limit, rows: make(map[string]map[int]int64)}
}

// add records changes whose write to Redis was skipped or failed.
func (u *unprojected) add(chs []change) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.adds++
	for _, c := range chs {
		if c.code == "" {
			continue // a replay: nothing changed
		}
		if c.at.After(u.newest) {
			u.newest = c.at
		}
		if u.all {
			continue
		}
		slots := u.rows[c.code]
		if slots == nil {
			if len(u.rows) >= u.limit {
				u.all, u.rows = true, make(map[string]map[int]int64)
				continue
			}
			slots = make(map[int]int64, 1)
			u.rows[c.code] = slots
		}
		slots[c.slot] = max(slots[c.slot], c.version)
	}
	u.owing.Store(u.all || len(u.rows) > 0)
}

// owes says whether Redis may hold an older balance of the account than PostgreSQL has committed.
func (u *unprojected) owes(code string) bool {
	if !u.owing.Load() {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.rows[code]
	return ok || u.all
}

// settle forgets what changes written to Redis cover: the projection script keeps the newest
// version of each row, so after a successful write Redis holds at least each change's version.
func (u *unprojected) settle(chs []change) {
	if !u.owing.Load() {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range chs {
		slots := u.rows[c.code]
		if v, ok := slots[c.slot]; ok && v <= c.version {
			delete(slots, c.slot)
			if len(slots) == 0 {
				delete(u.rows, c.code)
			}
		}
	}
	u.owing.Store(u.all || len(u.rows) > 0)
}

// owedAll returns, when the limit was passed, the commit time up to which every account is owed
// and a mark to hand to drained.
func (u *unprojected) owedAll() (upTo time.Time, mark uint64, all bool) {
	if !u.owing.Load() {
		return time.Time{}, 0, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.newest, u.adds, u.all
}

// drained says that the outbox, read after owedAll returned mark, held no row committed at or
// before upTo: every change skipped until then has reached Redis through the relay. A change
// skipped since mark (its row may have committed after that read) keeps every account owed.
func (u *unprojected) drained(upTo time.Time, mark uint64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.all && u.adds == mark && !u.newest.After(upTo) {
		u.all = false
		u.owing.Store(len(u.rows) > 0)
	}
}
