package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// heapWatch samples the Go heap while davbench runs and keeps the highest in-use figure (HeapInuse: spans with
// live or not yet swept objects, what the process holds for its heap) and the highest live heap (the bytes the
// last completed GC cycle marked reachable: what the program keeps). With profiling on,
// it also keeps the heap profile written when the post-GC live heap reached its highest value.
type heapWatch struct {
	mu       sync.Mutex
	done     chan struct{}
	wg       sync.WaitGroup
	profile  bool
	inuse    uint64 // highest HeapInuse sampled
	live     uint64 // highest live heap of a completed GC cycle
	liveProf []byte // heap profile at that point
	lastGC   uint32
}

// heapInterval is how often the heap is sampled.
const heapInterval = 20 * time.Millisecond

func startHeapWatch(profile bool) *heapWatch {
	h := &heapWatch{done: make(chan struct{}), profile: profile}
	if profile {
		runtime.MemProfileRate = 64 << 10 // a sample per 64 KiB allocated instead of 512 KiB: finer profiles
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(heapInterval)
		defer t.Stop()
		for {
			h.sample()
			select {
			case <-h.done:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapWatch) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inuse = max(h.inuse, ms.HeapInuse)
	if ms.NumGC == h.lastGC {
		return
	}
	h.lastGC = ms.NumGC
	sm := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sm)
	if sm[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := sm[0].Value.Uint64() // the heap marked live by the last completed cycle
	if live <= h.live {
		return
	}
	h.live = live
	if h.profile {
		var b bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
			h.liveProf = b.Bytes()
		}
	}
}

// stop ends the sampling, prints the peaks and writes the profile to file (when not empty).
func (h *heapWatch) stop(file string) error {
	close(h.done)
	h.wg.Wait()
	h.sample()
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Printf("heap: peak in use %d MB, peak live after GC %d MB\n", h.inuse>>20, h.live>>20)
	if file == "" || h.liveProf == nil {
		return nil
	}
	return os.WriteFile(file, h.liveProf, 0o600) //nolint:gosec // G703: the profile path is the operator's own -memprofile flag
}
