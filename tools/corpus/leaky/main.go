// Command leaky writes an execution trace (to os.Args[1]) that ends while
// a known set of goroutines is leaked, i.e. blocked forever. It is the
// ground truth for gtanalyze's leak detection; tools/corpus/leakfixed is
// the same program with the leaks fixed (for testing a leaky/fixed diff).
//
// Leaked goroutines at trace.Stop (14 in total). Each kind is created by
// its own start function ("go" statement = creation site) and runs its own
// blocking function (the blocking statement = block site):
//
//	kind                 count  created in (line)      blocks in (line)
//	chan send                3  startSendLeaks     86  blockOnSend     91
//	chan receive             4  startRecvLeaks     96  blockOnRecv    101
//	select (2 chans)         2  startSelectLeaks  106  blockOnSelect  111
//	sync.Mutex.Lock          2  startMutexLeaks   119  blockOnMutex   124
//	sync.Cond.Wait           2  startCondLeaks    130  blockOnCond    137
//	select {} (forever)      1  startForeverLeak  143  blockForever   147
//
// The send/receive channels are unbuffered and nobody uses the other end;
// the select waits on two channels that are never ready; the mutex is
// locked by main and never unlocked; the Cond is never signalled. After
// starting the leaks, main does some normal (non-leaking) work, sleeps
// ~50 ms so every leaked goroutine is parked, and stops the trace while
// they are still blocked. Function names are package main (main.startX,
// main.blockOnX); line numbers refer to this file.
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

// What the leaked goroutines block on. Package-level so they stay
// reachable and the intent is obvious.
var (
	sendCh    = make(chan int) // nobody ever receives
	recvCh    = make(chan int) // nobody ever sends
	selA      = make(chan int) // never ready
	selB      = make(chan int) // never ready
	heldMu    sync.Mutex       // locked by main, never unlocked
	condMu    sync.Mutex
	neverCond = sync.NewCond(&condMu) // never signalled
	released  bool                    // guarded by condMu; never set here
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leaky OUT.trace")
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
	heldMu.Lock() // held until exit: the mutex leakers never get it

	startSendLeaks()
	startRecvLeaks()
	startSelectLeaks()
	startMutexLeaks()
	startCondLeaks()
	startForeverLeak()

	normalWork()
	time.Sleep(50 * time.Millisecond) // let every leaker park

	trace.Stop() // the leaked goroutines are still blocked here
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func startSendLeaks() {
	for i := 0; i < 3; i++ {
		go blockOnSend(i) // leak:send:create
	}
}

func blockOnSend(v int) {
	sendCh <- v // leak:send:block
}

func startRecvLeaks() {
	for i := 0; i < 4; i++ {
		go blockOnRecv() // leak:recv:create
	}
}

func blockOnRecv() {
	<-recvCh // leak:recv:block
}

func startSelectLeaks() {
	for i := 0; i < 2; i++ {
		go blockOnSelect() // leak:select:create
	}
}

func blockOnSelect() {
	select { // leak:select:block
	case <-selA:
	case <-selB:
	}
}

func startMutexLeaks() {
	for i := 0; i < 2; i++ {
		go blockOnMutex() // leak:mutex:create
	}
}

func blockOnMutex() {
	heldMu.Lock() // leak:mutex:block
	heldMu.Unlock()
}

func startCondLeaks() {
	for i := 0; i < 2; i++ {
		go blockOnCond() // leak:cond:create
	}
}

func blockOnCond() {
	condMu.Lock()
	for !released {
		neverCond.Wait() // leak:cond:block
	}
	condMu.Unlock()
}

func startForeverLeak() {
	go blockForever() // leak:forever:create
}

func blockForever() {
	select {} // leak:forever:block
}

// normalWork is ordinary, non-leaking concurrency: workers that exchange
// results over a channel and all finish.
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
