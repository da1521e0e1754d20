// Command timers writes an execution trace (to os.Args[1]) of timer-driven
// blocking: time.Sleep, time.After in a select, a time.Ticker, time.AfterFunc
// callbacks and a stopped/reset time.Timer.
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
		fmt.Fprintln(os.Stderr, "usage: timers OUT.trace")
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
	sleepers(4, 10)
	afterTimeouts(20)
	ticker(40)
	afterFuncs(10)
	stopReset()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// sleepers runs goroutines that each sleep a few times with distinct
// durations (1ms, 2ms, ...), so their wakeups interleave.
func sleepers(n, rounds int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(d time.Duration) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				time.Sleep(d)
			}
		}(time.Duration(i+1) * time.Millisecond)
	}
	wg.Wait()
}

// afterTimeouts selects between a channel that is never ready in time and
// time.After; every other round the data arrives first instead.
func afterTimeouts(n int) {
	data := make(chan int)
	timeouts := 0
	for i := 0; i < n; i++ {
		if i%2 == 1 {
			go func(i int) {
				data <- i
			}(i)
		}
		select {
		case <-data:
		case <-time.After(2 * time.Millisecond):
			timeouts++
		}
	}
	_ = timeouts
}

// ticker receives a fixed number of ticks from a 1ms ticker.
func ticker(ticks int) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for i := 0; i < ticks; i++ {
		<-t.C
	}
}

// afterFuncs schedules callbacks that run on their own goroutines when the
// timers fire.
func afterFuncs(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		time.AfterFunc(time.Duration(i+1)*time.Millisecond, wg.Done)
	}
	wg.Wait()
}

// stopReset stops one timer before it fires and resets another to fire
// later than first planned.
func stopReset() {
	t1 := time.NewTimer(time.Hour)
	if !t1.Stop() {
		<-t1.C
	}
	t2 := time.NewTimer(time.Millisecond)
	if !t2.Stop() {
		<-t2.C
	}
	t2.Reset(3 * time.Millisecond)
	<-t2.C
}
