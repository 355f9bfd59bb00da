// Package identity handles the personal identity data of users: mainland mobile numbers, resident
// identity numbers and passwords. Nothing here touches a database; the rules are pure functions so
// the web layer and the registry can share them and they can be table-tested.
//
// Resident ID numbers are sensitive personal information under the PIPL: callers keep only
// HashResidentID and MaskResidentID of them, never the number itself.
package identity
