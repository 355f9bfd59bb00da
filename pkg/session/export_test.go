package session

// RedisKey is the Redis key of a token's session, for tests that make Redis lose it.
func (s *Store) RedisKey(token string) string {
	key, _ := s.parse(token)
	return key
}
