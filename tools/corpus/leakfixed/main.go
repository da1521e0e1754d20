// Command leakfixed is tools/corpus/leaky with its leaks fixed: the same
// goroutines are started by the same functions (main.startX) and block in
// the same functions (main.blockOnX, main.blockForever) at first, but
// after the ~50 ms pause main releases every one of them and waits for all
// of them to exit before trace.Stop. Zero goroutines of the program are
// blocked when the trace ends. It exists to test gtanalyze's leaky/fixed
// diff against tools/corpus/leaky.
//
// Fixes, per kind (counts as in leaky):
//
//	chan send        3  main receives the 3 values from sendCh
//	chan receive     4  main closes recvCh
//	select           2  main closes selA
//	sync.Mutex.Lock  2  main unlocks heldMu
//	sync.Cond.Wait   2  main sets released and Broadcasts
//	select {}        1  replaced by a select on the quit channel, closed by main
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only.
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// What the goroutines block on until main releases them.
var (
	sendCh    = make(chan int) // main receives after the pause
	recvCh    = make(chan int) // closed by main after the pause
	selA      = make(chan int) // closed by main after the pause
	selB      = make(chan int) // never ready
	heldMu    sync.Mutex       // unlocked by main after the pause
	condMu    sync.Mutex
	neverCond = sync.NewCond(&condMu) // broadcast by main after the pause
	released  bool                    // guarded by condMu
	quit      = make(chan struct{})   // closed by main after the pause

	// leakers counts the goroutines started by the startX functions.
	leakers sync.WaitGroup
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leakfixed OUT.trace")
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
	heldMu.Lock() // released after the pause below

	startSendLeaks()
	startRecvLeaks()
	startSelectLeaks()
	startMutexLeaks()
	startCondLeaks()
	startForeverLeak()

	normalWork()
	time.Sleep(50 * time.Millisecond) // every goroutine is parked here

	releaseAll()
	leakers.Wait() // the fix: nobody is left behind

	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// releaseAll unblocks every goroutine started by the startX functions.
func releaseAll() {
	for i := 0; i < 3; i++ {
		<-sendCh
	}
	close(recvCh)
	close(selA)
	heldMu.Unlock()
	condMu.Lock()
	released = true
	neverCond.Broadcast()
	condMu.Unlock()
	close(quit)
}

func startSendLeaks() {
	for i := 0; i < 3; i++ {
		leakers.Add(1)
		go blockOnSend(i)
	}
}

func blockOnSend(v int) {
	defer leakers.Done()
	sendCh <- v
}

func startRecvLeaks() {
	for i := 0; i < 4; i++ {
		leakers.Add(1)
		go blockOnRecv()
	}
}

func blockOnRecv() {
	defer leakers.Done()
	<-recvCh
}

func startSelectLeaks() {
	for i := 0; i < 2; i++ {
		leakers.Add(1)
		go blockOnSelect()
	}
}

func blockOnSelect() {
	defer leakers.Done()
	select {
	case <-selA:
	case <-selB:
	}
}

func startMutexLeaks() {
	for i := 0; i < 2; i++ {
		leakers.Add(1)
		go blockOnMutex()
	}
}

func blockOnMutex() {
	defer leakers.Done()
	heldMu.Lock()
	heldMu.Unlock()
}

func startCondLeaks() {
	for i := 0; i < 2; i++ {
		leakers.Add(1)
		go blockOnCond()
	}
}

func blockOnCond() {
	defer leakers.Done()
	condMu.Lock()
	for !released {
		neverCond.Wait()
	}
	condMu.Unlock()
}

func startForeverLeak() {
	leakers.Add(1)
	go blockForever()
}

func blockForever() {
	defer leakers.Done()
	select { // was "select {}" in leaky
	case <-quit:
	}
}

// normalWork is ordinary, non-leaking concurrency: workers that exchange
// results over a channel and all finish (identical to leaky).
func normalWork() {
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s := 0
				for i := 0; i < 10000; i++ {
					s += i * j
				}
				results <- s
			}
		}()
	}
	go func() {
		for j := 0; j < 40; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	total := 0
	for r := range results {
		total += r
	}
	_ = total
}
