// Command restarted writes (to os.Args[1]) the second of two traces taken one after the other in
// one process: work annotated while the first trace ran ends while the second runs, so the
// second trace holds region and task ends whose begins it never saw. Four nested regions begun
// under the first trace end after nine complete ones; Go's summary sorts a goroutine's regions by
// start with an unstable sort, and the four without a start come out in the order that sort
// leaves them (not the order they ended). A task begun under the first trace logs and ends in
// the second.
//
// It is part of the gtanalyze test corpus (see corpus/README.md). Standard library only.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: restarted OUT.trace")
		os.Exit(2)
	}
	if err := trace.Start(io.Discard); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, task := trace.NewTask(context.Background(), "before")
	var outer []*trace.Region
	for i := 0; i < 4; i++ {
		outer = append(outer, trace.StartRegion(ctx, fmt.Sprintf("outer%d", i)))
	}
	trace.Stop()

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < 9; i++ {
		trace.WithRegion(ctx, fmt.Sprintf("inner%d", i), func() {})
	}
	trace.Log(ctx, "phase", "after the restart")
	for i := len(outer) - 1; i >= 0; i-- {
		outer[i].End()
	}
	task.End()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
