package auth

import (
	"sync"
	"time"
)

// limiter counts failed logins per account and per client IP in a sliding
// window. It lives in memory: a restart forgets the counts, which costs an
// attacker a restart of the appliance, not a bypass.
type limiter struct {
	lim LoginLimit
	now func() time.Time

	// mu guards fails.
	mu    sync.Mutex
	fails map[string][]time.Time // "a:<email>" or "i:<ip>" → failure times, oldest first
}

// maxLimiterKeys bounds the limiter's memory under a spray of distinct names.
const maxLimiterKeys = 100_000

func newLimiter(lim LoginLimit, now func() time.Time) *limiter {
	return &limiter{lim: lim, now: now, fails: map[string][]time.Time{}}
}

// prune drops the failures older than the window from key's list; mu held.
func (l *limiter) prune(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.lim.Window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}

// blocked returns how long to wait before account or ip may try again, or 0.
func (l *limiter) blocked(account, ip string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	check := func(key string, limit int) {
		ts := l.prune(key, now)
		if len(ts) >= limit {
			if w := ts[len(ts)-limit].Add(l.lim.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	check("a:"+account, l.lim.PerAccount)
	if ip != "" {
		check("i:"+ip, l.lim.PerIP)
	}
	return wait
}

// blockedIP returns how long ip must wait before its next attempt, or 0: the
// per-IP budget alone, for sign-ins that name no account (invitation links).
// An empty ip (no HTTP request) is never blocked.
func (l *limiter) blockedIP(ip string) time.Duration {
	if ip == "" {
		return 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.prune("i:"+ip, now)
	if len(ts) >= l.lim.PerIP {
		return ts[len(ts)-l.lim.PerIP].Add(l.lim.Window).Sub(now)
	}
	return 0
}

// failIP records a failed attempt of ip that names no account.
func (l *limiter) failIP(ip string) {
	if ip != "" {
		l.record("i:" + ip)
	}
}

// fail records a failed attempt.
func (l *limiter) fail(account, ip string) {
	l.record("a:"+account, "i:"+ip)
}

// record appends a failure to each key's list ("i:" alone, an empty IP, is skipped).
func (l *limiter) record(keys ...string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= maxLimiterKeys {
		for k := range l.fails {
			l.prune(k, now)
		}
	}
	for _, key := range keys {
		if key == "i:" {
			continue
		}
		ts := append(l.prune(key, now), now)
		if len(ts) > 2*max(l.lim.PerAccount, l.lim.PerIP) {
			ts = ts[len(ts)-2*max(l.lim.PerAccount, l.lim.PerIP):]
		}
		l.fails[key] = ts
	}
}

// succeed clears the account's failures after a successful login.
func (l *limiter) succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
}
