package engine

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ErrCrashed is returned by a MemKV after SimulateCrashAfter's budget of commits is spent: the process is
// considered dead and nothing more is made durable until Restart.
var ErrCrashed = errors.New("memkv: simulated crash")

// MemKV is an in-memory KV for tests and benchmarks. Every committed transaction is kept; it can simulate a crash:
// after SimulateCrashAfter(n), the n+1-th Commit (and every later one) fails with ErrCrashed without applying
// anything, exactly as if the process had died just before that commit became durable. Restart ends the crash;
// an engine built over the same MemKV afterwards sees exactly what was committed. It is safe for concurrent use.
//
// Keys are kept in buckets by their first two path segments ("eng/link/"), so a Scan of links does not walk the
// traces.
type MemKV struct {
	mu      sync.RWMutex // guards everything below
	buckets map[string]map[string][]byte
	n       int
	commits int // commits applied since SimulateCrashAfter
	budget  int // commits allowed before the crash, -1 = no crash planned
	crashed bool
}

var _ KV = (*MemKV)(nil)

// NewMemKV returns an empty in-memory KV.
func NewMemKV() *MemKV { return &MemKV{buckets: map[string]map[string][]byte{}, budget: -1} }

// bucketOf returns the key's first two path segments (or the whole key).
func bucketOf(k string) string {
	i := strings.IndexByte(k, '/')
	if i < 0 {
		return k
	}
	j := strings.IndexByte(k[i+1:], '/')
	if j < 0 {
		return k
	}
	return k[:i+1+j+1]
}

// Get returns a copy of the value stored at key.
func (m *MemKV) Get(key []byte) ([]byte, bool, error) {
	k := string(key)
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.buckets[bucketOf(k)][k]
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), v...), true, nil
}

// Scan calls fn for every key with prefix, in key order, on a snapshot taken when Scan starts (fn may Commit).
// fn must not modify value.
func (m *MemKV) Scan(prefix []byte, fn func(key, value []byte) error) error {
	return m.scan(prefix, false, fn)
}

// ScanReverse is Scan in descending key order.
func (m *MemKV) ScanReverse(prefix []byte, fn func(key, value []byte) error) error {
	return m.scan(prefix, true, fn)
}

func (m *MemKV) scan(prefix []byte, reverse bool, fn func(key, value []byte) error) error {
	type kv struct {
		k string
		v []byte
	}
	p := string(prefix)
	var all []kv
	collect := func(b map[string][]byte) {
		for k, v := range b {
			if strings.HasPrefix(k, p) {
				all = append(all, kv{k, v})
			}
		}
	}
	m.mu.RLock()
	if bp := bucketOf(p); bp != p || strings.Count(p, "/") >= 2 {
		collect(m.buckets[bp])
	} else {
		for name, b := range m.buckets {
			if strings.HasPrefix(name, p) || strings.HasPrefix(p, name) {
				collect(b)
			}
		}
	}
	m.mu.RUnlock()
	sort.Slice(all, func(a, b int) bool { return all[a].k < all[b].k })
	if reverse {
		slices.Reverse(all)
	}
	for _, e := range all {
		if err := fn([]byte(e.k), e.v); err != nil {
			return err
		}
	}
	return nil
}

// Commit applies sets and deletes atomically, unless a simulated crash is due.
func (m *MemKV) Commit(sets map[string][]byte, deletes []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.crashed {
		return ErrCrashed
	}
	if m.budget >= 0 && m.commits >= m.budget {
		m.crashed = true
		return ErrCrashed
	}
	m.commits++
	for _, k := range deletes {
		if b := m.buckets[bucketOf(k)]; b != nil {
			if _, ok := b[k]; ok {
				delete(b, k)
				m.n--
			}
		}
	}
	for k, v := range sets {
		name := bucketOf(k)
		b := m.buckets[name]
		if b == nil {
			b = map[string][]byte{}
			m.buckets[name] = b
		}
		if _, ok := b[k]; !ok {
			m.n++
		}
		b[k] = append([]byte(nil), v...)
	}
	return nil
}

// SimulateCrashAfter lets n more commits succeed; the next one fails with ErrCrashed, and so does every commit
// after it until Restart. A negative n cancels a planned crash.
func (m *MemKV) SimulateCrashAfter(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.commits, m.budget, m.crashed = 0, n, false
}

// Crashed reports whether the simulated crash has happened.
func (m *MemKV) Crashed() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.crashed
}

// Restart ends a simulated crash: committed data stays, commits succeed again.
func (m *MemKV) Restart() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.commits, m.budget, m.crashed = 0, -1, false
}

// Len returns the number of keys stored.
func (m *MemKV) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.n
}
