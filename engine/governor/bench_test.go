package governor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
)

// BenchmarkAcquireDone measures the governor's cost per remote call: one Acquire and one Done on a mailbox
// with a concurrency cap and a 10,000-per-10-minutes budget, plus the tenant and the profile scope, from
// parallel goroutines over 1,000 mailboxes.
//
//	go test ./engine/governor -run '^$' -bench AcquireDone
func BenchmarkAcquireDone(b *testing.B) {
	g := governor.New(governor.Options{})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 4, Requests: 10000, Per: 10 * time.Minute})
	g.Declare("msgraph", "tenant", engine.Limits{MaxInFlight: 1000})
	tenant := engine.LimitScope{System: "msgraph", Kind: "tenant", Key: "contoso"}
	mailboxes := make([]engine.LimitScope, 1000)
	for i := range mailboxes {
		mailboxes[i] = engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: fmt.Sprintf("user%d@contoso.com", i)}
	}
	ctx := governor.WithProfile(context.Background(), "p1")
	g.SetProfileCap("p1", 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			p, err := g.Acquire(ctx, mailboxes[i%len(mailboxes)], tenant)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(engine.Outcome{Status: 200, Latency: time.Millisecond})
			i++
		}
	})
}
