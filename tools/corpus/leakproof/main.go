// Command leakproof writes an execution trace (to os.Args[1]) and, during
// it, the goroutineleak profile of Go 1.26's GOEXPERIMENT=goroutineleakprofile
// (gzipped pprof, to os.Args[2]): goroutines blocked on objects nothing
// reachable can wake (the GC proves them leaked) and goroutines blocked on
// objects still reachable (not provable), each kind in its own function.
// It is gtanalyze's ground truth for --leak-proof (see corpus/README.md).
//
//	kind                           count  proven  blocks in
//	chan send (local chan)             2       2  sendOn
//	chan receive (local chans)         2       2  recvOn  (same go statement
//	chan receive (global chan)         1       0  recvOn   and stack: 2 of 3)
//	select (local chans)               1       1  selectOn
//	select {}                          1       1  selectNothing
//	receive from a nil chan            1       1  recvNil
//	sync.WaitGroup.Wait (local)        1       1  waitOn
//	sync.Cond.Wait (local)             1       1  condWaitOn
//	sync.Mutex.Lock (local, held)      1       1  lockOn
//	sync.RWMutex.RLock (local, held)   1       1  rlockOn
//	sync.Mutex.Lock (global, held)     2       0  lockHeld
//
// 14 leak candidates in the trace, 11 in the profile. The profile is
// written while the trace runs, after every goroutine has parked.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

// Reachable for the whole run: nothing can prove the goroutines blocked on
// them leaked.
var (
	globalCh = make(chan int)
	heldMu   sync.Mutex // locked by main, never unlocked
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: leakproof OUT.trace OUT.pb.gz")
		os.Exit(2)
	}
	leakProfile := pprof.Lookup("goroutineleak")
	if leakProfile == nil {
		fmt.Fprintln(os.Stderr, "leakproof: build with Go 1.26 and GOEXPERIMENT=goroutineleakprofile")
		os.Exit(2)
	}
	traceFile := create(os.Args[1])
	check(trace.Start(traceFile))
	heldMu.Lock()

	startSendLeaks()
	startRecvLeaks()
	startSelectLeaks()
	startSyncLeaks()
	startHeldLocks()
	time.Sleep(50 * time.Millisecond) // let every goroutine park

	profileFile := create(os.Args[2])
	check(leakProfile.WriteTo(profileFile, 0))
	check(profileFile.Close())

	trace.Stop()
	check(traceFile.Close())
}

func create(path string) *os.File {
	f, err := os.Create(path)
	check(err)
	return f
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func startSendLeaks() {
	for i := 0; i < 2; i++ {
		go sendOn(make(chan int))
	}
}

func sendOn(ch chan int) {
	ch <- 1
}

// Three goroutines from one go statement, blocked at one receive: two on
// channels of their own, one on the global channel.
func startRecvLeaks() {
	for i := 0; i < 3; i++ {
		ch := globalCh
		if i > 0 {
			ch = make(chan int)
		}
		go recvOn(ch)
	}
}

func recvOn(ch chan int) {
	<-ch
}

func startSelectLeaks() {
	go selectOn(make(chan int), make(chan int))
	go selectNothing()
	go recvNil()
}

func selectOn(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func selectNothing() {
	select {}
}

func recvNil() {
	var ch chan int
	<-ch
}

func startSyncLeaks() {
	wg := new(sync.WaitGroup)
	wg.Add(1)
	go waitOn(wg)

	go condWaitOn(sync.NewCond(new(sync.Mutex)))

	mu := new(lockBox)
	mu.Lock()
	go lockOn(&mu.Mutex)

	rw := new(sync.RWMutex)
	rw.Lock()
	go rlockOn(rw)
}

// A mutex alone (8 bytes, no pointers) would come from the tiny allocator,
// where it may share a block with something reachable; the GC proves leaks
// by reachability of that block.
type lockBox struct {
	sync.Mutex
	_ *int
}

func waitOn(wg *sync.WaitGroup) {
	wg.Wait()
}

func condWaitOn(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

func lockOn(mu *sync.Mutex) {
	mu.Lock()
}

func rlockOn(rw *sync.RWMutex) {
	rw.RLock()
}

func startHeldLocks() {
	for i := 0; i < 2; i++ {
		go lockHeld()
	}
}

func lockHeld() {
	heldMu.Lock()
	heldMu.Unlock()
}
