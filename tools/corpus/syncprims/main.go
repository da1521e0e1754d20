// Command syncprims writes an execution trace (to os.Args[1]) of the sync
// package primitives: a contended sync.Mutex, a sync.RWMutex with readers
// and a writer, sync.WaitGroup, sync.Cond (Wait, Signal, Broadcast) and
// sync.Once.
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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: syncprims OUT.trace")
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
	mutexContention(4, 300)
	rwMutex(3, 50)
	condSignalBroadcast(4)
	once(5)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// spin burns a little CPU so critical sections last long enough for other
// goroutines to find the lock held (and eventually park on it).
func spin(n int) int {
	x := 0
	for i := 0; i < n; i++ {
		x += i * i
	}
	return x
}

var sink int

// mutexContention has several goroutines hammer one mutex with non-trivial
// critical sections, which forces semaphore parking (sync blocking).
func mutexContention(workers, iters int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				mu.Lock()
				counter++
				sink += spin(2000)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != workers*iters {
		panic("lost updates")
	}
}

// rwMutex lets readers share the lock while a writer periodically takes it
// exclusively and holds it across a short sleep, so readers block.
func rwMutex(readers, rounds int) {
	var rw sync.RWMutex
	var wg sync.WaitGroup
	data := map[int]int{}
	stop := make(chan struct{})
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				rw.RLock()
				_ = data[0]
				sink += spin(500)
				rw.RUnlock()
			}
		}()
	}
	for i := 0; i < rounds; i++ {
		rw.Lock()
		data[0] = i
		time.Sleep(100 * time.Microsecond)
		rw.Unlock()
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
}

// condSignalBroadcast parks waiters on a sync.Cond, wakes one of them with
// Signal, then the rest with Broadcast.
func condSignalBroadcast(waiters int) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	parked, released := 0, 0
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			parked++
			mine := released
			for released == mine { // guard against spurious wakeups
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	// Wait until everybody is parked in Wait.
	for {
		mu.Lock()
		p := parked
		mu.Unlock()
		if p == waiters {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(time.Millisecond)
	mu.Lock()
	released++
	cond.Signal() // wakes exactly one waiter
	mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	mu.Lock()
	released++
	cond.Broadcast() // wakes the others
	mu.Unlock()
	wg.Wait()
}

// once runs an initialiser from several goroutines; only one executes it,
// the others wait for it to finish (Once uses a mutex internally).
func once(callers int) {
	var o sync.Once
	var wg sync.WaitGroup
	calls := 0
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.Do(func() {
				calls++
				time.Sleep(2 * time.Millisecond)
			})
		}()
	}
	wg.Wait()
	if calls != 1 {
		panic("once ran more than once")
	}
}
