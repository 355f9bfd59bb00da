package web

// storeRoutes are the JSON API of the charity supermarket: items, stock, donations, orders, the
// counter and walk-in sales.
func (s *server) storeRoutes() {}
