// Command regionmisuse writes an execution trace (to os.Args[1]) in which the program misuses
// runtime/trace: a goroutine ends another goroutine's region while a region of its own is the
// innermost open one. Go's reader (1.22+) stops at that event with "misuse of region", and
// `go tool trace` analyses the events before it; gtanalyze does the same, with a warning.
//
// Before the misuse: regions, a task and a log on several goroutines, so that what is analysed
// is not empty.
//
// It is part of the gtanalyze test corpus (see corpus/README.md).
package main

import (
	"context"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "before")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace.WithRegion(ctx, "work", func() { time.Sleep(time.Millisecond) })
			trace.Log(ctx, "worker", "done")
		}()
	}
	wg.Wait()
	task.End()

	regions := make(chan *trace.Region)
	done := make(chan bool)
	go func() {
		own := trace.StartRegion(ctx, "own")
		other := <-regions
		other.End() // out of turn: "own" is this goroutine's innermost region
		own.End()
		done <- true
	}()
	time.Sleep(time.Millisecond)
	regions <- trace.StartRegion(ctx, "handed-over")
	<-done
	time.Sleep(time.Millisecond)
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
