// Package org is about the social organizations of the time bank, the five-level region tree they
// belong to, and the stores (charity supermarkets) they run. For now it holds the national code
// validators the registry needs: unified social credit codes and administrative division codes.
package org
