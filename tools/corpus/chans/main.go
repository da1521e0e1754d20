// Command chans writes an execution trace (to os.Args[1]) of channel
// operations: unbuffered ping-pong, a buffered producer/consumer pipeline,
// select with several cases (blocking and non-blocking), and closed
// channels (receive from closed, range until close, broadcast by close).
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only.
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: chans OUT.trace")
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
	pingPong(500)
	pipeline(3, 2, 300)
	selectLoop(300)
	closedChannels(4)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// pingPong bounces a value n times between two goroutines over two
// unbuffered channels, so every send/receive is a rendezvous (block + unblock).
func pingPong(n int) {
	ping, pong := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v + 1
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	wg.Wait()
}

// pipeline runs producers feeding consumers through a small buffered
// channel: producers block when it is full, consumers when it is empty.
func pipeline(producers, consumers, perProducer int) {
	ch := make(chan int, 4)
	results := make(chan int, consumers)
	var pw, cw sync.WaitGroup
	for p := 0; p < producers; p++ {
		pw.Add(1)
		go func(p int) {
			defer pw.Done()
			for i := 0; i < perProducer; i++ {
				ch <- p*1000 + i
			}
		}(p)
	}
	for c := 0; c < consumers; c++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			sum := 0
			for v := range ch {
				sum += v
			}
			results <- sum
		}()
	}
	pw.Wait()
	close(ch)
	cw.Wait()
	close(results)
	total := 0
	for s := range results {
		total += s
	}
	_ = total
}

// selectLoop multiplexes three sources and a quit channel with select; a
// second select with a default case exercises the non-blocking path.
func selectLoop(n int) {
	a, b, c := make(chan int), make(chan int), make(chan int, 2)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	src := func(ch chan int, count int) {
		defer wg.Done()
		for i := 0; i < count; i++ {
			ch <- i
		}
	}
	wg.Add(3)
	go src(a, n/3)
	go src(b, n/3)
	go src(c, n-2*(n/3))

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(quit)
	}()
	go func() {
		defer close(done)
		got, polls := 0, 0
		for {
			select {
			case <-a:
				got++
			case <-b:
				got++
			case <-c:
				got++
			case <-quit:
				// Drain c (buffered) so nothing is lost.
				for {
					select {
					case <-c:
						got++
					default:
						_ = polls
						return
					}
				}
			}
			select {
			case v := <-c:
				_ = v
				got++
			default:
				polls++
			}
		}
	}()
	<-done
}

// closedChannels wakes several waiters at once by closing a channel, then
// receives from the closed channel (which never blocks).
func closedChannels(waiters int) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start // all block here until close
		}()
	}
	close(start)
	wg.Wait()
	for i := 0; i < 3; i++ {
		if _, ok := <-start; ok {
			panic("closed channel returned ok")
		}
	}
}
