// Package org is the register of the places the time bank acts in: the five-level region tree
// (province, city, county, street or township, community) keyed by administrative division codes,
// the social organizations that sit in it, registered (登记, with a unified social credit code) or
// filed (备案, with the street that vouches for them), and the stores (charity supermarkets) they
// run. It also holds the national code validators the register needs.
//
// Every organization has an issuing account in the ledger and every store a redemption account;
// each is opened in the same transaction as its row and its audit entry. The registry also answers
// where a thing sits in the trees (OrgTarget, StoreTarget, RegionTarget), which is what the access
// checks decide on. The access package depends on this one (for IsWithin and Target), so the
// caller comes as who acts, a *principal.Principal (an *access.Principal's Actor).
package org
