package pages

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/store"
)

// statementLine is one entry of the statement as a person reads it.
type statementLine struct {
	At     time.Time
	Kind   string // translated
	Memo   string // what happened, in the reader's language, naming things, never ids
	Amount int64  // minutes; negative when credits went out
}

// statementLines writes the entries in the language. The ledger keeps a kind and a reference per
// transaction (activity:record:<id>, order:<id> …); the words are chosen here, when the page is
// read, from the records and orders the references name (one query each), so that a statement
// reads in the reader's language and never shows a stored memo or an id; only an adjustment made
// by hand shows the words its operator wrote.
func (s *server) statementLines(ctx context.Context, lang string, entries []ledger.Entry) ([]statementLine, error) {
	var records, orders []int64
	for _, e := range entries {
		for _, ref := range []string{e.Reference, e.Reverses} {
			if id, ok := refID(ref, "activity:record:"); ok {
				records = append(records, id)
			} else if id, ok := refID(ref, "order:"); ok {
				orders = append(orders, id)
			}
		}
	}
	recs, err := s.Activities.RecordLabels(ctx, records)
	if err != nil {
		return nil, err
	}
	ords, err := s.Store.OrderLabels(ctx, orders)
	if err != nil {
		return nil, err
	}
	w := memoWriter{s: s, lang: lang, records: recs, orders: ords}
	out := make([]statementLine, len(entries))
	for i, e := range entries {
		out[i] = statementLine{At: e.CreatedAt, Kind: s.msgs.Get(lang, "page.kind."+e.Kind), Amount: e.Amount}
		if e.Kind == ledger.TxReverse {
			if what := w.memo("", e.Reverses, e.Amount); what != "" {
				out[i].Memo = w.t("page.memo.reversed", what)
			}
			continue
		}
		out[i].Memo = w.memo(e.Kind, e.Reference, e.Amount)
		if e.Kind == ledger.TxAdjust && out[i].Memo == "" {
			// An adjustment by hand carries the words its operator wrote for the person.
			out[i].Memo = e.Memo
		}
	}
	return out, nil
}

// refID reads the id of a reference of the form prefix<id>.
func refID(ref, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(ref, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// memoWriter writes what a transaction was about, in one language.
type memoWriter struct {
	s       *server
	lang    string
	records map[int64]activity.RecordLabel
	orders  map[int64]store.OrderLabel
}

func (w memoWriter) t(key string, args ...any) string {
	return fmt.Sprintf(w.s.msgs.Get(w.lang, key), args...)
}

// memo writes the transaction of the kind with the reference; amount says which way the credits
// went (a transfer out or in). It is "" when there is nothing to say beyond the kind.
func (w memoWriter) memo(kind, ref string, amount int64) string {
	if id, ok := refID(ref, "activity:record:"); ok {
		if r, ok := w.records[id]; ok {
			return w.t("page.memo.service", r.ActivityTitle, w.day(r.ServiceDate))
		}
		return w.t("page.memo.service_unknown")
	}
	if id, ok := refID(ref, "order:"); ok {
		o, ok := w.orders[id]
		if !ok {
			return w.t("page.memo.order_unknown")
		}
		what := w.t("page.memo.goods", o.FirstItem, o.FirstQty)
		if o.MoreItems > 0 {
			what = w.t("page.memo.goods_more", o.FirstItem, o.FirstQty, o.MoreItems)
		}
		if o.Channel == store.ChannelCounter {
			return w.t("page.memo.sale", o.StoreName, what)
		}
		return w.t("page.memo.order", o.StoreName, what)
	}
	switch {
	case ref == "activity:transfer" && kind == ledger.TxTransfer && amount < 0:
		return w.t("page.memo.transfer_out")
	case ref == "activity:transfer" && kind == ledger.TxTransfer:
		return w.t("page.memo.transfer_in")
	case ref == "activity:transfer":
		return w.t("page.memo.donation")
	case kind == ledger.TxExpire:
		return w.t("page.memo.expired")
	}
	return ""
}

// day writes a service day (YYYY-MM-DD) as the language writes a date.
func (w memoWriter) day(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format(w.s.msgs.Get(w.lang, "page.memo.date_layout"))
}
