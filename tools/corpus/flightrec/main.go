// Command flightrec writes (to os.Args[1]) a trace taken by runtime/trace's
// flight recorder: a snapshot of the last generations of a running program,
// not a trace from its start. The snapshot's first generation is not the
// tracer's first, its goroutines are already running or blocked in it, and
// the ones that ended before it are not there at all. The program's workers
// contend on a mutex, sleep, pass work on a channel and are created and
// ended all along, so every generation of the window has all of these.
//
// It is part of the gtanalyze test corpus (see corpus/README.md). Go 1.25+
// (the flight recorder's API); standard library only.
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
		fmt.Fprintln(os.Stderr, "usage: flightrec OUT.trace")
		os.Exit(2)
	}
	// A small window: the runtime starts a generation every second, and by
	// the snapshot, 2.5 s in, the recorder has dropped the first ones; the
	// snapshot stays under the corpus's 1 MiB.
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 100 * time.Millisecond, MaxBytes: 192 << 10})
	if err := fr.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	work := make(chan int)
	shared := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) { // contends on mu, then sleeps
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				shared += i
				mu.Unlock()
				time.Sleep(time.Duration(200+100*i) * time.Microsecond)
			}
		}(i)
	}
	consumed := make(chan struct{})
	go func() { // the consumer of work; each item is handed over on the channel
		defer close(consumed)
		for range work {
		}
	}()
	wg.Add(1)
	go func() { // creates short-lived producers all along
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var producers sync.WaitGroup
		defer producers.Wait()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			producers.Add(1)
			go func(n int) {
				defer producers.Done()
				select {
				case work <- n:
				case <-stop:
				}
			}(n)
		}
	}()

	time.Sleep(2500 * time.Millisecond)
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := fr.WriteTo(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	close(stop)
	wg.Wait() // the workers, and the producers' creator once its producers are done
	close(work)
	<-consumed
	fr.Stop()
}
