package store

import "slices"

// allocation is what one line takes from one lot.
type allocation struct {
	line int
	lot  int64
	qty  int
}

// allocate takes each line's quantity from the free stock of its item's lots, first-expiring-first,
// or names the first line that cannot be filled.
func allocate(lines []OrderLine, items map[int64]Item, lots []Lot) ([]allocation, error) {
	byItem := map[int64][]Lot{}
	for _, l := range lots {
		byItem[l.ItemID] = append(byItem[l.ItemID], l)
	}
	var out []allocation
	for i, line := range lines {
		candidates := byItem[line.Item]
		slices.SortFunc(candidates, fefoLess)
		need := line.Qty
		for _, lot := range candidates {
			if need == 0 {
				break
			}
			take := min(need, lot.Free())
			if take > 0 {
				out = append(out, allocation{line: i, lot: lot.ID, qty: take})
				need -= take
			}
		}
		if need > 0 {
			return nil, lineError(ErrOutOfStock, i, items[line.Item], "qty", ReasonOutOfStock)
		}
	}
	return out, nil
}
