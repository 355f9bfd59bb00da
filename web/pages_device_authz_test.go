package web

// deviceAuthzEntries are the rows of the authorization table for the device sign-in pages (merged
// into authzTable): anyone may open the form, post a token, or sign the browser's device out.
func deviceAuthzEntries() map[string]entry {
	return map[string]entry{
		"GET /device":          {who: everyone, in: fixed("GET", "/device", "")},
		"POST /device":         {who: everyone, in: fixed("POST", "/device", malformed)},
		"POST /device/signout": {who: everyone, in: fixed("POST", "/device/signout", malformed)},
	}
}
