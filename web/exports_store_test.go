package web

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"timebank/pkg/chinatime"
)

// A store's journal, orders, donations and day report read back equal to its tables: every
// movement, order and donation of the period, and today's figures.
func TestStoreExportsReadBack(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	storeFixture(t, w, w.sa.ID)
	storeFixture(t, w, w.sa.ID)
	storeFixture(t, w, w.sb.ID) // another store's, never in SA's files
	today := time.Now().In(chinatime.Zone()).Format(time.DateOnly)
	ids := func(q string) []string {
		var out []string
		if err := d.DB.Select(&out, q, w.sa.ID); err != nil {
			t.Fatal(err)
		}
		return out
	}
	moves := ids(`SELECT kind FROM store_movements WHERE store_id = $1 ORDER BY id`)
	orders := ids(`SELECT id::text FROM store_orders WHERE store_id = $1 ORDER BY created_at, id`)
	donations := ids(`SELECT number FROM store_donations WHERE store_id = $1 ORDER BY received_at, id`)
	words := map[string]string{"received": "入库", "reserved": "预留"}
	for _, ext := range []string{"csv", "xlsx"} {
		get := func(what, sheet string) [][]string {
			status, _, body := download(t, app, w.tokens[managerSA], fmt.Sprintf("/api/v1/stores/%d/%s.%s?from=%s&to=%s", w.sa.ID, what, ext, today, today))
			if status != 200 {
				t.Fatalf("%s.%s: %d %s", what, ext, status, body)
			}
			return readTable(t, body, ext == "xlsx", sheet)
		}
		got := get("journal", "库存流水")
		if len(got) != len(moves)+1 || len(moves) < 4 {
			t.Fatalf("journal %s: %d rows, want %d", ext, len(got)-1, len(moves))
		}
		for i, r := range got[1:] {
			if r[3] != words[moves[i]] || r[1] == "" {
				t.Errorf("journal %s row %d: %q, want %s", ext, i+1, r, moves[i])
			}
		}
		got = get("orders", "订单")
		if len(got) != len(orders)+1 || len(orders) != 2 {
			t.Fatalf("orders %s: %d rows, want %d", ext, len(got)-1, len(orders))
		}
		for i, r := range got[1:] {
			if r[0] != orders[i] || r[3] != "待取货" || r[4] == "" || r[7] != "1" {
				t.Errorf("orders %s row %d: %q, want order %s", ext, i+1, r, orders[i])
			}
		}
		got = get("donations", "捐赠登记")
		if len(got) != len(donations)+1 || len(donations) != 2 {
			t.Fatalf("donations %s: %d rows, want %d", ext, len(got)-1, len(donations))
		}
		for i, r := range got[1:] {
			if r[0] != donations[i] || r[2] != "匿名" || r[6] != "10" {
				t.Errorf("donations %s row %d: %q, want %s", ext, i+1, r, donations[i])
			}
		}
		got = get("reports", "日报")
		r, err := d.Store.DayReport(t.Context(), w.sa.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1][0] != today || got[1][7] != strconv.Itoa(r.Donations) || got[1][8] != strconv.Itoa(r.UnitsDonated) || r.Donations != 2 {
			t.Errorf("reports %s: %q, want %+v", ext, got, r)
		}
	}
}
