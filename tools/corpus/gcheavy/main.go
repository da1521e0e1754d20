// Command gcheavy writes an execution trace (to os.Args[1]) of a program
// that allocates quickly enough to run several GC cycles with mark assists
// (allocating goroutines are drafted into marking), plus two explicit
// runtime.GC calls (forced cycles).
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

const (
	allocators = 4
	liveSlots  = 1 << 14 // per allocator: keeps a live heap the GC must mark
	allocs     = 200000  // per allocator
)

type node struct {
	next *node
	buf  [48]byte
}

var sink []*node

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gcheavy OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	allocate()
	// Let the background sweeper finish the last automatic cycle on an
	// idle P first: runtime.GC busy-waits with Gosched for concurrent
	// sweeping, which otherwise floods the trace with Gosched events.
	time.Sleep(20 * time.Millisecond)
	runtime.GC() // forced cycles after the allocators are done
	runtime.GC()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// allocate runs goroutines that replace entries of a pointer ring with new
// small linked objects: the ring stays live (mark work), the replaced
// objects become garbage (allocation pressure).
func allocate() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for a := 0; a < allocators; a++ {
		wg.Add(1)
		go func(seed int) {
			defer wg.Done()
			ring := make([]*node, liveSlots)
			for i := 0; i < allocs; i++ {
				n := &node{}
				n.buf[0] = byte(i + seed)
				n.next = ring[(i*7+seed)%liveSlots]
				if n.next != nil {
					n.next = n.next.next // bound chain length
				}
				ring[i%liveSlots] = n
				if i%50000 == 0 {
					// Big allocations go straight to the heap.
					_ = make([]byte, 1<<20)
				}
			}
			mu.Lock()
			sink = append(sink, ring[0])
			mu.Unlock()
		}(a)
	}
	wg.Wait()
}
