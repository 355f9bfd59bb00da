package web

// orgRoutes are the JSON API of regions, organizations, stores, members, device tokens and the audit
// log.
func (s *server) orgRoutes() {}
