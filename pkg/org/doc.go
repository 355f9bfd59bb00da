// Package org is about social organizations, the five-level region tree they belong to, and the
// charity supermarkets they run. For now it holds the national code validators the registry needs.
package org
