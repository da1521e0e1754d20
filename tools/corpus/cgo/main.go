// Command cgo writes an execution trace (to os.Args[1]) of a program that
// mixes Go and C: threads created in C call into Go (each call runs on a
// goroutine the runtime creates for the thread and destroys after it, and a
// later call reuses its id), goroutines block in C calls, and Go calls C
// that calls back into Go on the same thread. A second round of C threads
// starts after the first has exited, so goroutine ids are taken again.
//
// It is part of the gtanalyze test corpus (see corpus/README.md); built with
// cgo (corpus.env), standard library only.
package main

/*
#cgo LDFLAGS: -lpthread
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

extern void fromC(int);

static void* cThread(void* arg) {
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < 20; i++) {
		fromC(id * 100 + i);
		usleep(200);
	}
	return 0;
}

static void startCThreads(int n) {
	pthread_t t[64];
	for (int i = 0; i < n && i < 64; i++) pthread_create(&t[i], 0, cThread, (void*)(intptr_t)i);
	for (int i = 0; i < n && i < 64; i++) pthread_join(t[i], 0);
}

static void sleepInC(int us) { usleep(us); }
static int twice(int x) { return x * 2; }
static void callBack(int n) { for (int i = 0; i < n; i++) fromC(-i); }
*/
import "C"

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var (
	calls   int64
	mu      sync.Mutex
	updates = make(chan int, 1000)
)

// fromC runs on the goroutine of whichever thread called it: it takes a
// lock, offers a value to a channel, and sometimes sleeps.
//
//export fromC
func fromC(x C.int) {
	atomic.AddInt64(&calls, 1)
	mu.Lock()
	mu.Unlock()
	select {
	case updates <- int(x):
	default:
	}
	if x%7 == 0 {
		time.Sleep(50 * time.Microsecond)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cgo OUT.trace")
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
	go func() { defer wg.Done(); C.startCThreads(8) }()
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				C.sleepInC(C.int(2000 + i*100))
				_ = C.twice(C.int(k))
			}
			C.callBack(5)
		}(i)
	}
	go func() {
		for range updates {
		}
	}()
	wg.Wait()
	// The second round: new threads, goroutine ids taken again.
	C.startCThreads(4)
	time.Sleep(time.Millisecond)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
