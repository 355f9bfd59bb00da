package ledger

// QueuedPosts is how many postings wait for a writer (for tests that line requests up).
func (l *Ledger) QueuedPosts() int { return l.posts.g.Queued() }
