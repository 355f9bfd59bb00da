package invalidate

import (
	"sync"
	"time"
)

// Map keeps values loaded from the stores (a principal, a session) while its bus is live: each at
// most maxAge, at most size of them (past it, the map starts again empty). A value is kept only if
// no news arrived while it was loaded (Gen before the load, Keep after), checked under the map's
// lock, so that the owner's handler, which drops what news names, cannot run in between. A nil Map
// keeps nothing.
type Map[K comparable, V any] struct {
	bus    *Bus
	size   int
	maxAge time.Duration

	mu sync.RWMutex
	m  map[K]kept[V]
}

type kept[V any] struct {
	v  V
	at time.Time
}

// NewMap returns an empty map over bus.
func NewMap[K comparable, V any](bus *Bus, size int, maxAge time.Duration) *Map[K, V] {
	return &Map[K, V]{bus: bus, size: size, maxAge: maxAge, m: map[K]kept[V]{}}
}

// Get returns the value kept for k, if the bus is live and the value not older than maxAge.
func (m *Map[K, V]) Get(k K) (V, bool) {
	if m == nil || !m.bus.Live() {
		var zero V
		return zero, false
	}
	m.mu.RLock()
	e, ok := m.m[k]
	m.mu.RUnlock()
	return e.v, ok && time.Since(e.at) < m.maxAge
}

// Gen is read before a load; see Keep.
func (m *Map[K, V]) Gen() uint64 {
	if m == nil {
		return 0
	}
	return m.bus.Gen()
}

// Keep keeps v for k if the bus heard nothing since gen was read.
func (m *Map[K, V]) Keep(gen uint64, k K, v V) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.bus.Keep(gen) {
		return
	}
	if len(m.m) >= m.size {
		m.m = map[K]kept[V]{}
	}
	m.m[k] = kept[V]{v: v, at: time.Now()}
}

// Delete drops what is kept for k.
func (m *Map[K, V]) Delete(k K) {
	m.mu.Lock()
	delete(m.m, k)
	m.mu.Unlock()
}

// DeleteFunc drops every value del says to.
func (m *Map[K, V]) DeleteFunc(del func(K, V) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.m {
		if del(k, e.v) {
			delete(m.m, k)
		}
	}
}

// Clear drops everything.
func (m *Map[K, V]) Clear() {
	m.mu.Lock()
	m.m = map[K]kept[V]{}
	m.mu.Unlock()
}
