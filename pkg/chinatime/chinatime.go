// Package chinatime is China Standard Time, the one zone of this service: days of service, daily
// caps, limit periods, report days and every time a page shows are read as people in Zhejiang read
// them, whatever zone the server or a phone is in.
package chinatime

import "time"

// zone is UTC+8. China has kept no daylight saving time since 1991, so a fixed zone is exact for
// every date the service handles and needs no zone database on the machine (minimal containers
// have none); PostgreSQL's 'Asia/Shanghai' agrees with it.
var zone = time.FixedZone("CST", 8*3600)

// Zone returns China Standard Time.
func Zone() *time.Location { return zone }

// Midnight returns the start of t's day in China.
func Midnight(t time.Time) time.Time {
	y, m, d := t.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}
