package web

// activityRoutes are the JSON API of earning hours: activities, sign-ups, check-in codes and scans,
// attendances, verification, service records, disputes and transfers.
func (s *server) activityRoutes() {}
