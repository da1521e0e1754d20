// soak: the collector's soak-test program, run by tools/collector/soak.sh. Invoked as
// `soak WORKLOAD TRACE_FILE`, it writes its own execution trace (runtime/trace) to TRACE_FILE
// while one workload stresses one runtime path, so that `gtanalyze crosscheck` can compare that
// trace with what `gtanalyze collect` saw through its uprobes. Workloads: churn, preempt, syscall,
// timers, channels, mutex, net, leaks. Each runs for a bounded time (tens of milliseconds to
// ~150 ms) and a fixed number of goroutines; every goroutine has ended before trace.Stop except
// the deliberate leaks of `leaks`. Standard library only; builds with Go 1.19 through 1.26 (so no
// min/max builtins, range-over-int, iter, or other newer APIs).
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// sink keeps the compiler from discarding the results of the busy loops.
var sink uint64

var workloads = map[string]func(){
	"churn":    churn,
	"preempt":  preempt,
	"syscall":  syscalls,
	"timers":   timers,
	"channels": channels,
	"mutex":    mutexes,
	"net":      netLoopback,
	"leaks":    leaks,
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// churn: a few thousand short-lived goroutines, created and exiting in waves a little apart.
func churn() {
	const waves, perWave = 25, 160
	var total uint64
	for w := 0; w < waves; w++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		wg.Add(perWave)
		for i := 0; i < perWave; i++ {
			go func(n int) {
				defer wg.Done()
				x := uint64(n)
				for j := 0; j < 100; j++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				if n%16 == 0 {
					runtime.Gosched()
				}
				mu.Lock()
				total += x
				mu.Unlock()
			}(w*perWave + i)
		}
		wg.Wait()
		time.Sleep(time.Millisecond)
	}
	atomic.AddUint64(&sink, total)
}

// spin is a CPU-bound loop without function calls in its hot loop, so only asynchronous
// preemption (signals) can stop it; it checks the flag only between long inner runs (about half
// a millisecond each). With burst > 0 it sleeps briefly after every burst inner runs, leaving a P
// free for a moment so that the GC goroutine and the GC workers get to run.
func spin(stop *int32, burst int, wg *sync.WaitGroup) {
	defer wg.Done()
	x := uint64(1)
	for runs := 1; atomic.LoadInt32(stop) == 0; runs++ {
		for j := 0; j < 1<<18; j++ {
			x = x*6364136223846793005 + 1442695040888963407
			x ^= x >> 17
		}
		if burst > 0 && runs%burst == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	}
	atomic.AddUint64(&sink, x)
}

// preempt: GOMAXPROCS call-free spinning goroutines (one never pauses, so only the scheduler's
// time-slice preemption and the GC stop it; the others pause between bursts of a few ms) plus
// runtime.GC calls, whose stop-the-world phases and stack scans preempt and park the spinners;
// all ended by an atomic flag after a fixed time.
func preempt() {
	var stop int32
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		n = 2
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go spin(&stop, i*4, &wg) // bursts: never, ~2 ms, ~4 ms, ...
	}
	// runtime.GC sweeps with a Gosched per span, and a Gosched may wait for a spinner's time
	// slice to end, so a cycle can take long: the flag does not wait for the GCs, and the GC
	// goroutine starts no new cycle once it is set.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 8 && atomic.LoadInt32(&stop) == 0; i++ {
			time.Sleep(5 * time.Millisecond)
			runtime.GC()
		}
	}()
	time.Sleep(80 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	runtime.GC() // one more with everyone idle
}

func pipe() (r, w int) {
	var p [2]int
	must(syscall.Pipe(p[:]))
	return p[0], p[1]
}

// syscalls: goroutines blocked in read(2) on pipes (they lose their P) until a writer writes
// after a delay; a ping-pong over two pipes with short blocking reads; fast syscalls (getpid,
// write to /dev/null).
func syscalls() {
	var wg sync.WaitGroup

	// Blocking reads released by a delayed writer.
	const readers = 6
	var rfd, wfd [readers]int
	for i := 0; i < readers; i++ {
		rfd[i], wfd[i] = pipe()
		wg.Add(1)
		go func(fd int) {
			defer wg.Done()
			buf := make([]byte, 1)
			syscall.Read(fd, buf)
		}(rfd[i])
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < readers; i++ {
			time.Sleep(6 * time.Millisecond)
			syscall.Write(wfd[i], []byte{byte(i)})
		}
	}()

	// Ping-pong: each read blocks briefly until the other side's write.
	ar, aw := pipe()
	br, bw := pipe()
	const rounds = 300
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			syscall.Write(aw, []byte{1})
			syscall.Read(br, buf)
		}
	}()
	go func() {
		defer wg.Done()
		buf := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			syscall.Read(ar, buf)
			syscall.Write(bw, []byte{2})
		}
	}()

	// Fast syscalls.
	null, err := syscall.Open("/dev/null", syscall.O_WRONLY, 0)
	must(err)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte("soak\n")
			pid := 0
			for i := 0; i < 2000; i++ {
				pid += syscall.Getpid()
				syscall.Write(null, msg)
			}
			atomic.AddUint64(&sink, uint64(pid))
		}()
	}

	wg.Wait()
	for i := 0; i < readers; i++ {
		syscall.Close(rfd[i])
		syscall.Close(wfd[i])
	}
	for _, fd := range []int{ar, aw, br, bw, null} {
		syscall.Close(fd)
	}
}

// timers: time.Sleep of various short durations, time.After, time.NewTimer with Stop and
// Reset, time.AfterFunc, time.Ticker.
func timers() {
	var wg sync.WaitGroup
	durations := []time.Duration{0, time.Microsecond, 50 * time.Microsecond, 500 * time.Microsecond,
		time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond}
	for i, d := range durations {
		wg.Add(1)
		go func(i int, d time.Duration) {
			defer wg.Done()
			for j := 0; j < 4+i; j++ {
				time.Sleep(d)
			}
		}(i, d)
	}

	// time.After in a select, some winning against a channel and some timing out.
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch := make(chan int, 1)
		for i := 0; i < 10; i++ {
			if i%2 == 0 {
				ch <- i
			}
			select {
			case <-ch:
			case <-time.After(time.Millisecond):
			}
		}
	}()

	// NewTimer stopped before it fires, then Reset; and Reset after it fired. Written to be
	// correct under both the pre-1.23 and the 1.23+ timer channel semantics.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 8; i++ {
			t := time.NewTimer(time.Hour)
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(time.Duration(200+100*i) * time.Microsecond)
			<-t.C
			t.Reset(300 * time.Microsecond)
			<-t.C
			t.Stop()
		}
	}()

	// AfterFunc: the function runs in a goroutine of its own.
	for i := 0; i < 5; i++ {
		wg.Add(1)
		time.AfterFunc(time.Duration(i+1)*time.Millisecond, wg.Done)
	}
	// And one that is stopped before it runs.
	if !time.AfterFunc(time.Hour, func() { panic("stopped timer fired") }).Stop() {
		panic("AfterFunc timer already fired")
	}

	// Ticker.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(time.Millisecond)
		for i := 0; i < 20; i++ {
			<-tk.C
		}
		tk.Stop()
	}()
	wg.Wait()
}

// channels: unbuffered ping-pong, buffered producers/consumers, select with several cases
// and default, and a close that wakes many receivers at once.
func channels() {
	var wg sync.WaitGroup

	// Unbuffered ping-pong.
	ping, pong := make(chan int), make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 3000; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}()
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v
		}
	}()

	// Buffered: 4 producers, 3 consumers, small buffer so both sides block.
	buf := make(chan int, 4)
	var pwg, cwg sync.WaitGroup
	for p := 0; p < 4; p++ {
		pwg.Add(1)
		go func(p int) {
			defer pwg.Done()
			for i := 0; i < 1000; i++ {
				buf <- p*1000 + i
				if i%100 == 99 {
					time.Sleep(500 * time.Microsecond)
				}
			}
		}(p)
	}
	var consumed int64
	for c := 0; c < 3; c++ {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for range buf {
				atomic.AddInt64(&consumed, 1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		pwg.Wait()
		close(buf)
		cwg.Wait()
	}()

	// Select with several cases and a default.
	a, b, c := make(chan int), make(chan int, 2), make(chan int)
	quit := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 600; i++ {
			switch i % 3 {
			case 0:
				a <- i
			case 1:
				b <- i
			default:
				<-c
			}
		}
		close(quit)
	}()
	go func() {
		defer wg.Done()
		defaults := 0
		for i := 0; ; i++ {
			if i%4 == 3 {
				select {
				case <-a:
				case <-b:
				case c <- i:
				case <-quit:
					atomic.AddUint64(&sink, uint64(defaults))
					return
				default:
					defaults++
					runtime.Gosched()
				}
				continue
			}
			select {
			case <-a:
			case <-b:
			case c <- i:
			case <-quit:
				atomic.AddUint64(&sink, uint64(defaults))
				return
			}
		}
	}()

	// Close-broadcast: many receivers wake at once.
	for round := 0; round < 5; round++ {
		done := make(chan struct{})
		var rwg, ready sync.WaitGroup
		for i := 0; i < 100; i++ {
			rwg.Add(1)
			ready.Add(1)
			go func() {
				defer rwg.Done()
				ready.Done()
				<-done
			}()
		}
		ready.Wait()
		time.Sleep(2 * time.Millisecond) // let them block
		close(done)
		rwg.Wait()
	}
	wg.Wait()
	if consumed != 4*1000 {
		panic(fmt.Sprintf("consumed %d", consumed))
	}
}

// mutexes: contended sync.Mutex and sync.RWMutex, a sync.Cond queue, WaitGroups.
func mutexes() {
	var wg sync.WaitGroup

	var mu sync.Mutex
	counter := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1500; i++ {
				mu.Lock()
				counter++
				x := uint64(counter)
				for j := 0; j < 200; j++ { // hold the lock a little while
					x = x*6364136223846793005 + 1
				}
				atomic.AddUint64(&sink, x&1)
				mu.Unlock()
				if i%50 == 0 {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}()
	}

	var rw sync.RWMutex
	shared := map[int]int{}
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 800; i++ {
				if g < 2 {
					rw.Lock()
					shared[i%16] = i
					rw.Unlock()
					if i%30 == 0 {
						time.Sleep(100 * time.Microsecond)
					}
				} else {
					rw.RLock()
					s := 0
					for _, v := range shared {
						s += v
					}
					rw.RUnlock()
					atomic.AddUint64(&sink, uint64(s))
				}
			}
		}(g)
	}

	// Cond: a bounded queue, 2 producers, 3 consumers.
	var cmu sync.Mutex
	notEmpty, notFull := sync.NewCond(&cmu), sync.NewCond(&cmu)
	var queue []int
	const items, capacity = 1200, 3
	produced := 0
	closed := false
	var pwg sync.WaitGroup
	for p := 0; p < 2; p++ {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			for i := 0; i < items/2; i++ {
				cmu.Lock()
				for len(queue) >= capacity {
					notFull.Wait()
				}
				queue = append(queue, i)
				produced++
				notEmpty.Signal()
				cmu.Unlock()
				if i%100 == 99 {
					time.Sleep(500 * time.Microsecond)
				}
			}
		}()
	}
	var got int64
	for c := 0; c < 3; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cmu.Lock()
				for len(queue) == 0 && !closed {
					notEmpty.Wait()
				}
				if len(queue) == 0 && closed {
					cmu.Unlock()
					return
				}
				queue = queue[1:]
				notFull.Signal()
				cmu.Unlock()
				atomic.AddInt64(&got, 1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		pwg.Wait()
		cmu.Lock()
		closed = true
		notEmpty.Broadcast()
		cmu.Unlock()
	}()

	wg.Wait()
	if counter != 8*1500 || got != items || produced != items {
		panic(fmt.Sprintf("counter %d got %d produced %d", counter, got, produced))
	}
}

// netLoopback: a TCP echo server on 127.0.0.1 and a few clients exchanging small messages for a
// fixed number of round trips; everything is closed before it returns.
func netLoopback() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	const clients, trips = 4, 200
	deadline := time.Now().Add(10 * time.Second) // never hang, even if something goes wrong
	var swg sync.WaitGroup
	swg.Add(1)
	go func() {
		defer swg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			swg.Add(1)
			go func(c net.Conn) {
				defer swg.Done()
				defer c.Close()
				c.SetDeadline(deadline)
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return // io.EOF when the client closes
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}(c)
		}
	}()
	var cwg sync.WaitGroup
	var failures int32
	for i := 0; i < clients; i++ {
		cwg.Add(1)
		go func(i int) {
			defer cwg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				atomic.AddInt32(&failures, 1)
				return
			}
			defer c.Close()
			c.SetDeadline(deadline)
			msg := []byte(fmt.Sprintf("hello %d", i))
			buf := make([]byte, len(msg))
			for j := 0; j < trips; j++ {
				if _, err := c.Write(msg); err != nil {
					atomic.AddInt32(&failures, 1)
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					atomic.AddInt32(&failures, 1)
					return
				}
			}
		}(i)
	}
	cwg.Wait()
	ln.Close()
	swg.Wait()
	if failures != 0 {
		panic(fmt.Sprintf("net: %d clients failed", failures))
	}
}

func leakRecv(ch chan int) { <-ch }

func leakSelect() { select {} }

func leakNilSend() {
	var ch chan int
	ch <- 1
}

func leakLock(mu *sync.Mutex) {
	mu.Lock() // never unlocked by its holder
	mu.Unlock()
}

// leaks: some short regular work, plus goroutines left blocked forever at trace.Stop: channel
// receive, select{}, nil-channel send, a sync.Mutex that is never unlocked.
func leaks() {
	var wg sync.WaitGroup
	ch := make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 2000; i++ {
			ch <- i
		}
		close(ch)
	}()
	go func() {
		defer wg.Done()
		for range ch {
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			time.Sleep(2 * time.Millisecond)
		}
	}()

	var held sync.Mutex
	held.Lock() // never unlocked
	forever := make(chan int)
	for i := 0; i < 3; i++ {
		go leakRecv(forever)
		go leakSelect()
		go leakNilSend()
		go leakLock(&held)
	}
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // the leaks are all blocked by now and stay so
}

func usage() {
	names := make([]string, 0, len(workloads))
	for n := range workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: soak WORKLOAD TRACE_FILE\nworkloads: %v\n", names)
	os.Exit(2)
}

func main() {
	if len(os.Args) != 3 {
		usage()
	}
	run, ok := workloads[os.Args[1]]
	if !ok {
		usage()
	}
	f, err := os.Create(os.Args[2])
	must(err)
	must(trace.Start(f))
	run()
	trace.Stop()
	must(f.Close())
}
