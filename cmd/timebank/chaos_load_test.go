package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// chaosLoad drives the service through its HTTP API as clients in the field do: every write has an
// idempotency key, and an answer that is not definitive (no answer, a reset, a 5xx) is retried with
// the same key until it is. It records what the service acknowledged.
type chaosLoad struct {
	url, token string
	volunteers int
	client     *http.Client
	store      *chaosStore    // orders and hand-outs, when set
	activity   *chaosActivity // scans and approvals, when set

	mu      sync.Mutex
	txs     map[string]int64 // idempotency key → transaction id, of acknowledged postings
	holds   map[string]int64 // idempotency key → hold id, of acknowledged holds
	commits map[int64]int64  // hold id → transaction id, of acknowledged commits
	status  map[int]int      // answers by status; 0 counts requests that got no answer
	retries int
	gaveUp  int
}

func newChaosLoad(url, token string, volunteers int) *chaosLoad {
	return &chaosLoad{url: url, token: token, volunteers: volunteers,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		txs:    map[string]int64{}, holds: map[string]int64{}, commits: map[int64]int64{}, status: map[int]int{}}
}

// send posts body to path as the operator; see sendAs.
func (l *chaosLoad) send(path, key, body string, giveUp time.Time) (int, []byte) {
	return l.sendAs(l.token, path, key, body, giveUp)
}

// sendAs posts body (none when "") to path with the bearer token under key (none when "") until
// the answer is definitive (2xx or 4xx) or the give-up time passes, and returns the definitive
// status and body (0 when it gave up).
func (l *chaosLoad) sendAs(token, path, key, body string, giveUp time.Time) (int, []byte) {
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequest(http.MethodPost, l.url+path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		status, b := 0, []byte(nil)
		if resp, err := l.client.Do(req); err == nil {
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		l.mu.Lock()
		l.status[status]++
		if attempt > 0 {
			l.retries++
		}
		l.mu.Unlock()
		if status >= 200 && status < 500 {
			return status, b
		}
		if time.Now().After(giveUp) {
			l.mu.Lock()
			l.gaveUp++
			l.mu.Unlock()
			return 0, nil
		}
		time.Sleep(time.Duration(50+rand.IntN(150)) * time.Millisecond)
	}
}

func (l *chaosLoad) vol(n int) string { return "vol:chaos:" + strconv.Itoa(n) }

// run sends writes from one client until stop is closed: volunteers checking in and out and
// approved (while there are volunteers left), orders handed out at once, earnings, transfers between volunteers (which may be refused for want of credits)
// and holds committed at once.
func (l *chaosLoad) run(client int, stop <-chan struct{}) {
	r := rand.New(rand.NewPCG(uint64(client), uint64(time.Now().UnixNano())))
	for seq := 0; ; seq++ {
		select {
		case <-stop:
			return
		default:
		}
		giveUp := time.Now().Add(90 * time.Second)
		key := fmt.Sprintf("chaos-%d-%d-%d", client, time.Now().UnixNano(), seq)
		a, b := l.vol(r.IntN(l.volunteers)), l.vol(r.IntN(l.volunteers))
		switch n := r.IntN(10); {
		case n < 2 && l.activity != nil && l.activity.serve(l, giveUp):
		case n < 4 && l.store != nil:
			l.store.order(l, r, key, giveUp)
		case n < 6 || a == b:
			l.posting(key, fmt.Sprintf(`{"kind":"earn","postings":[{"account":"org:chaos:issued","amount":-%d},{"account":%q,"amount":%d}]}`,
				1+n, a, 1+n), giveUp)
		case n < 8:
			l.posting(key, fmt.Sprintf(`{"kind":"transfer","postings":[{"account":%q,"amount":-1},{"account":%q,"amount":1}]}`,
				a, b), giveUp)
		default:
			l.holdAndCommit(key, a, giveUp)
		}
	}
}

func (l *chaosLoad) posting(key, body string, giveUp time.Time) {
	status, b := l.send("/api/v1/transactions", key, body, giveUp)
	if status/100 != 2 {
		return
	}
	var res struct{ Transaction struct{ ID int64 } }
	if json.Unmarshal(b, &res) == nil && res.Transaction.ID != 0 {
		l.mu.Lock()
		l.txs[key] = res.Transaction.ID
		l.mu.Unlock()
	}
}

func (l *chaosLoad) holdAndCommit(key, from string, giveUp time.Time) {
	body := fmt.Sprintf(`{"from":%q,"to":"shop:chaos","amount":1,"expires_at":%q}`, from,
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	status, b := l.send("/api/v1/holds", key, body, giveUp)
	var held struct{ Hold struct{ ID int64 } }
	if status/100 != 2 || json.Unmarshal(b, &held) != nil || held.Hold.ID == 0 {
		return
	}
	l.mu.Lock()
	l.holds[key] = held.Hold.ID
	l.mu.Unlock()
	status, b = l.send(fmt.Sprintf("/api/v1/holds/%d/commit", held.Hold.ID), "", "", giveUp)
	var committed struct{ Transaction struct{ ID int64 } }
	if status/100 != 2 || json.Unmarshal(b, &committed) != nil || committed.Transaction.ID == 0 {
		return
	}
	l.mu.Lock()
	l.commits[held.Hold.ID] = committed.Transaction.ID
	l.mu.Unlock()
}

// summary is one line of figures for the test log and the README.
func (l *chaosLoad) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("acknowledged %d postings, %d holds, %d commits; answers %v; %d retries; %d given up",
		len(l.txs), len(l.holds), len(l.commits), l.status, l.retries, l.gaveUp)
}
