package store

import (
	"fmt"

	"timebank/fields"
)

// OrderLine asks for Qty units of an item.
type OrderLine struct {
	Item int64 `json:"item"`
	Qty  int   `json:"qty"`
}

// maxQty is the most units of one item one line may ask for.
const maxQty = 1000

// validateLines checks the lines of an order or a sale: one to MaxLines, each item once, each
// quantity 1 to 1000.
func validateLines(bad fields.Set, lines []OrderLine) {
	switch {
	case len(lines) == 0:
		bad["lines"] = "required"
	case len(lines) > MaxLines:
		bad["lines"] = "too_many"
	}
	seen := map[int64]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.Item <= 0:
			bad[f+"item"] = "required"
		case seen[l.Item]:
			bad[f+"item"] = "duplicate"
		}
		seen[l.Item] = true
		if l.Qty < 1 || l.Qty > maxQty {
			bad[f+"qty"] = "range"
		}
	}
}

// orderTotal is the price of the lines, in credit minutes.
func orderTotal(lines []OrderLine, items map[int64]Item) int64 {
	var total int64
	for _, l := range lines {
		total += items[l.Item].Cost(l.Qty)
	}
	return total
}

// itemIDs returns the lines' items.
func itemIDs(lines []OrderLine) []int64 {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.Item
	}
	return ids
}
