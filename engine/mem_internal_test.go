package engine

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkLinkMemory measures the heap a run holds per link while it plans: the links of a job are loaded into
// an index by link id and by each side's item id. Between runs the engine holds nothing per link (the state is in
// the KV). "short" uses ids the size of SuperOffice ids and CalDAV hrefs with etags; "graph" uses Microsoft Graph
// event ids (152 characters) and change keys.
func BenchmarkLinkMemory(b *testing.B) {
	for _, c := range []struct {
		name           string
		crmID, mbxID   string
		crmVer, mbxVer string
	}{
		{"short", "%07d", "/cal/alice/%07d-3f2a9c.ics", "2026-03-02T09:%07d", "\"%07d-66f1\""},
		{"graph", "%07d", "AAMkAGI2TG93AAA=" + fmt.Sprintf("%0136d", 0)[:128] + "%07d", "2026-03-02T09:%07d", "DwAAABYAAAA%07dbnT2hfK9lqfhx0ypdw=="},
	} {
		b.Run(c.name, func(b *testing.B) {
			const n = 100_000
			kv := NewMemKV()
			sets := map[string][]byte{}
			job := kJob("p1", "u1", KindAppointment)
			h := hashKey(&Appointment{Title: "x"})
			for i := range n {
				l := Link{ID: fmt.Sprintf("l%012d", i), IDs: [2]string{fmt.Sprintf(c.crmID, i), fmt.Sprintf(c.mbxID, i)},
					Vers: [2]string{fmt.Sprintf(c.crmVer, i), fmt.Sprintf(c.mbxVer, i)}, Hashes: [2]hash16{h, h}}
				sets[kLink(job, l.ID)] = l.encode()
			}
			if err := kv.Commit(sets, nil); err != nil {
				b.Fatal(err)
			}
			e := &Engine{kv: kv}
			var per float64
			for b.Loop() {
				j := &syncJob{e: e, key: job, byID: [2]map[string]*Link{{}, {}}, quar: map[string]Quarantined{}}
				var m0, m1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m0)
				if err := j.loadState(); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&m1)
				per = float64(m1.HeapAlloc-m0.HeapAlloc) / n
				runtime.KeepAlive(j)
			}
			b.ReportMetric(per, "bytes/link")
		})
	}
}
