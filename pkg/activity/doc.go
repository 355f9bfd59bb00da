// Package activity is about volunteer service: the activities organizations run, volunteers'
// attendance at them, and the service records (志愿服务记录) that attendance produces.
//
// A service record is the permanent proof that a person served; credits in the ledger are only
// derived from it, at the organization's conversion ratio, once it is verified. This package
// holds the rules that decide the numbers, as pure functions that touch no database, so that the
// recording service, the coordinator's queue and the volunteer's page agree and the rules can be
// table-tested:
//
//   - Policy: an organization's rounding unit, grace, minimum, daily cap, credit ratio, star
//     thresholds and the rest, with DefaultPolicy and Validate.
//   - Hours: one attendance's service minutes, with flags saying which rule changed them.
//   - WorkCalendar, Deadline: mainland China's working days (weekends, statutory holidays and
//     make-up days), for the rule that records are due within 10 working days after an activity
//     ends. Calendar keeps the days in the database, entered by a platform administrator each year,
//     and says which years are missing.
//   - StarLevel, StarProgressOf: star volunteer levels from verified minutes.
//
// Time is integer minutes (int64), never floats. Calendar days are days in China Standard Time
// (pkg/chinatime), whatever zone the server or a phone is in.
package activity
