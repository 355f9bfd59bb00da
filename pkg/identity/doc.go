// Package identity holds what identifies a person: mainland mobile numbers, resident identity numbers
// and passwords. Nothing here touches a database; the rules are pure so they can be table-tested.
//
// Resident ID numbers are sensitive personal information (PIPL): callers keep only HashResidentID and
// MaskResidentID of them, never the number itself.
package identity
