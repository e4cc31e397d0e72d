package engine

import (
	"errors"
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
type MemKV struct {
	mu      sync.RWMutex // guards everything below
	data    map[string][]byte
	commits int // commits applied since SimulateCrashAfter
	budget  int // commits allowed before the crash, -1 = no crash planned
	crashed bool
}

var _ KV = (*MemKV)(nil)

// NewMemKV returns an empty in-memory KV.
func NewMemKV() *MemKV { return &MemKV{data: map[string][]byte{}, budget: -1} }

// Get returns a copy of the value stored at key.
func (m *MemKV) Get(key []byte) ([]byte, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.data[string(key)]
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), v...), true, nil
}

// Scan calls fn for every key with prefix, in key order, on a snapshot taken when Scan starts (fn may Commit).
func (m *MemKV) Scan(prefix []byte, fn func(key, value []byte) error) error {
	p := string(prefix)
	m.mu.RLock()
	keys := make([]string, 0, 16)
	for k := range m.data {
		if strings.HasPrefix(k, p) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = m.data[k]
	}
	m.mu.RUnlock()
	for i, k := range keys {
		if err := fn([]byte(k), append([]byte(nil), vals[i]...)); err != nil {
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
		delete(m.data, k)
	}
	for k, v := range sets {
		m.data[k] = append([]byte(nil), v...)
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
	return len(m.data)
}
