// Command usertasks writes an execution trace (to os.Args[1]) that exercises every case of the
// user-annotation summary in Go's internal/trace (summary.go) and cmd/trace:
//
//   - tasks nested three deep (request > stage > step), each with its regions and logs;
//   - logs with and without a category, and a log in no task (the background task 0);
//   - goroutines created inside regions (Go gives them a synthetic region with the creator's
//     task), one of them creating another inside its inherited region;
//   - a goroutine that exits inside a region (the region ends with the goroutine);
//   - a task begun before tracing starts and ended after (an end without a begin: no start, and
//     no name in Go's summary);
//   - a task, a region and a blocked goroutine still open when tracing stops.
//
// It does not end regions out of order: with both ends in the trace, Go's parsers reject the
// whole trace as "misuse of region" (so does gtanalyze), and a region started before tracing is
// a no-op, its end never written (see corpus/README.md).
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must build with every Go
// toolchain from 1.19 on: standard library only.
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
		fmt.Fprintln(os.Stderr, "usage: usertasks OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx := context.Background()

	// Begun before the trace: the trace sees only its end.
	_, earlyTask := trace.NewTask(ctx, "early")

	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	earlyTask.End()

	trace.Log(ctx, "", "a log in no task, without a category")
	for i := 0; i < 3; i++ {
		request(ctx, i)
	}
	exitInsideRegion(ctx)

	// Still open when tracing stops: a task, a region and a goroutine blocked inside it.
	openCtx, _ := trace.NewTask(ctx, "unfinished")
	trace.StartRegion(openCtx, "still-open")
	block := make(chan struct{})
	started := make(chan struct{})
	trace.WithRegion(openCtx, "spawn-blocked", func() {
		go func() {
			r := trace.StartRegion(openCtx, "waiting")
			close(started)
			<-block
			r.End()
		}()
	})
	<-started
	time.Sleep(200 * time.Microsecond)

	trace.Stop()
	close(block)
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// request is a task with a stage subtask per worker, each with a step subtask: three deep.
func request(ctx context.Context, id int) {
	ctx, task := trace.NewTask(ctx, "request")
	defer task.End()
	trace.Logf(ctx, "id", "%d", id)
	var wg sync.WaitGroup
	trace.WithRegion(ctx, "fan-out", func() {
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go stage(ctx, &wg, w) // created inside a region: inherits the request task
		}
	})
	wg.Wait()
	trace.WithRegion(ctx, "reply", func() { time.Sleep(100 * time.Microsecond) })
}

func stage(ctx context.Context, wg *sync.WaitGroup, w int) {
	defer wg.Done()
	ctx, task := trace.NewTask(ctx, "stage")
	defer task.End()
	trace.WithRegion(ctx, "load", func() {
		time.Sleep(time.Duration(100*(w+1)) * time.Microsecond)
		var inner sync.WaitGroup
		inner.Add(1)
		go func() { // created inside a region of a goroutine that itself inherited one
			defer inner.Done()
			busy(5000)
		}()
		inner.Wait()
	})
	stepCtx, step := trace.NewTask(ctx, "step")
	trace.WithRegion(stepCtx, "compute", func() {
		busy(20000)
		trace.Log(stepCtx, "progress", "half")
		trace.WithRegion(stepCtx, "compute-inner", func() { busy(10000) })
	})
	trace.Log(stepCtx, "", "done, no category")
	step.End()
}

// exitInsideRegion starts a goroutine that returns with a region still open.
func exitInsideRegion(ctx context.Context) {
	ctx, task := trace.NewTask(ctx, "abandon")
	defer task.End()
	done := make(chan struct{})
	go func() {
		defer close(done)
		trace.StartRegion(ctx, "never-ended")
		busy(5000)
	}()
	<-done
}

var sink int

func busy(n int) {
	for i := 0; i < n; i++ {
		sink += i
	}
}
