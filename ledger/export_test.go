package ledger

// QueuedPosts is how many postings wait for a writer (for tests that line requests up).
func (l *Ledger) QueuedPosts() int {
	l.posts.mu.Lock()
	defer l.posts.mu.Unlock()
	return len(l.posts.queue)
}
