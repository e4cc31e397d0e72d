package clock_test

import (
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

func TestFakeFiresInOrderAtDueTime(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(start)
	var got []time.Duration
	c.AfterFunc(3*time.Second, func() { got = append(got, c.Now().Sub(start)) })
	c.AfterFunc(time.Second, func() {
		got = append(got, c.Now().Sub(start))
		// A timer scheduled from a callback fires in the same Advance when it falls due.
		c.AfterFunc(time.Second, func() { got = append(got, c.Now().Sub(start)) })
	})
	stopped := c.AfterFunc(2500*time.Millisecond, func() { t.Error("stopped timer fired") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	c.Advance(10 * time.Second)
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("fired at %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired at %v, want %v", got, want)
		}
	}
	if now := c.Now().Sub(start); now != 10*time.Second {
		t.Fatalf("Now after Advance = +%v, want +10s", now)
	}
	if c.Pending() != 0 {
		t.Fatalf("Pending = %d, want 0", c.Pending())
	}
}
