// Command sched writes an execution trace (to os.Args[1]) of scheduler
// behaviour: goroutines yielding with runtime.Gosched, CPU-bound goroutines
// (more than GOMAXPROCS=2) that sysmon preempts after ~10 ms, and one
// goroutine wired to its OS thread with runtime.LockOSThread that sleeps
// (so its M is parked with it and the P handed off).
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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sched OUT.trace")
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
	var wg sync.WaitGroup
	wg.Add(1)
	go yielders(&wg, 2, 1000)
	wg.Add(1)
	go cpuBound(&wg, 4, 40*time.Millisecond)
	wg.Add(1)
	go lockedThread(&wg, 5)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

var sinks [8]uint64

// yielders run short loops that call runtime.Gosched each iteration.
func yielders(done *sync.WaitGroup, n, iters int) {
	defer done.Done()
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				sinks[g] += uint64(i)
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
}

// cpuBound runs n tight loops (no function calls, no allocation) for d
// each; with more runnable goroutines than Ps they get preempted.
func cpuBound(done *sync.WaitGroup, n int, d time.Duration) {
	defer done.Done()
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			deadline := time.Now().Add(d)
			x := uint64(g)
			for time.Now().Before(deadline) {
				for i := 0; i < 100000; i++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			sinks[2+g] = x
		}(g)
	}
	wg.Wait()
}

// lockedThread pins itself to an OS thread and alternates work and sleeps.
func lockedThread(done *sync.WaitGroup, rounds int) {
	defer done.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for i := 0; i < rounds; i++ {
		x := uint64(0)
		for j := 0; j < 200000; j++ {
			x += uint64(j)
		}
		sinks[7] += x
		time.Sleep(2 * time.Millisecond)
	}
}
