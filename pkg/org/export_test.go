package org

// The target queries, for the test that they run prepared.
const (
	OrgTargetQuery   = orgTargetQuery
	StoreTargetQuery = storeTargetQuery
)
