package store

import (
	"context"

	"timebank/batch"
	"timebank/pkg/principal"
)

// PlaceTogether places the orders as orders that arrive at the same moment are placed: prepared
// one by one, then run as one batch. It returns each order's answer and whether the batch went to
// PostgreSQL as one transaction (false: it fell back to one by one). Give it two orders or more.
func (s *Service) PlaceTogether(ctx context.Context, actors []*principal.Principal, keys []string, orders []NewOrder) ([]Order, []error, bool) {
	out, errs := make([]Order, len(orders)), make([]error, len(orders))
	var (
		calls []*call[placing, Order]
		at    []int
	)
	for i, n := range orders {
		p, replay, err := s.prepareOrder(ctx, actors[i], keys[i], n)
		if err != nil || replay != nil {
			out[i], errs[i] = *replay, err
			continue
		}
		calls = append(calls, batch.NewCall[placing, Order](ctx, p))
		at = append(at, i)
	}
	fallbacks := s.placeStats.fallbacks.Load()
	s.placeMany(ctx, calls)
	batched := s.placeStats.fallbacks.Load() == fallbacks
	for j, c := range calls {
		out[at[j]], errs[at[j]] = c.Wait()
	}
	return out, errs, batched
}

// FulfilTogether hands out the orders as hand-outs confirmed at the same moment are: as one
// batch. It returns each answer and whether the batch went to PostgreSQL as one transaction.
// Give it two orders or more.
func (s *Service) FulfilTogether(ctx context.Context, actors []*principal.Principal, ids []int64, lines [][]Handout) ([]Order, []error, bool) {
	calls := make([]*call[fulfilling, Order], len(ids))
	for i, id := range ids {
		calls[i] = batch.NewCall[fulfilling, Order](ctx, fulfilling{actor: actors[i], order: id, lines: lines[i]})
	}
	fallbacks := s.fulfilStats.fallbacks.Load()
	s.fulfilMany(ctx, calls)
	batched := s.fulfilStats.fallbacks.Load() == fallbacks
	out, errs := make([]Order, len(ids)), make([]error, len(ids))
	for i, c := range calls {
		out[i], errs[i] = c.Wait()
	}
	return out, errs, batched
}
