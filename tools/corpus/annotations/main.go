// Command annotations writes an execution trace (to os.Args[1]) with
// runtime/trace user annotations: tasks (trace.NewTask, nested, and a task
// ended on another goroutine than the one that created it), regions
// (trace.WithRegion and trace.StartRegion/End, nested) and log messages
// (trace.Log, trace.Logf).
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: annotations OUT.trace")
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
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		handleRequest(ctx, i)
	}
	crossGoroutineTask(ctx)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// handleRequest is a top-level task with two nested subtasks that run on
// their own goroutines, each with nested regions and log messages.
func handleRequest(ctx context.Context, id int) {
	ctx, task := trace.NewTask(ctx, "request")
	defer task.End()
	trace.Logf(ctx, "request-id", "%d", id)

	trace.WithRegion(ctx, "parse", func() {
		time.Sleep(500 * time.Microsecond)
	})

	var wg sync.WaitGroup
	for _, name := range []string{"fetch-a", "fetch-b"} {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			subCtx, sub := trace.NewTask(ctx, name) // nested task
			defer sub.End()
			r := trace.StartRegion(subCtx, "io")
			time.Sleep(time.Millisecond)
			inner := trace.StartRegion(subCtx, "decode") // nested region
			busy(20000)
			inner.End()
			r.End()
			trace.Log(subCtx, "result", name+" ok")
		}(name)
	}
	wg.Wait()

	trace.WithRegion(ctx, "respond", func() {
		trace.Log(ctx, "status", "200")
		time.Sleep(300 * time.Microsecond)
	})
}

// crossGoroutineTask creates a task on one goroutine and ends it on
// another, with a log message outside any task (background context).
func crossGoroutineTask(ctx context.Context) {
	tctx, task := trace.NewTask(ctx, "handoff")
	trace.Log(context.Background(), "note", "log without a task")
	done := make(chan struct{})
	go func() {
		defer close(done)
		trace.WithRegion(tctx, "finish", func() { busy(10000) })
		task.End()
	}()
	<-done
}

var sink int

func busy(n int) {
	for i := 0; i < n; i++ {
		sink += i
	}
}
