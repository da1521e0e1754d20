// Command stress writes a large execution trace of a busy, scalable Go program, for
// gtanalyze's benchmarks (tools/bench, issue 9). It is not part of the test corpus.
//
// Usage:
//
//	stress [-size 100M | -rounds N | -duration 30s] [-procs 2] [-seed 1] OUT.trace
//
// The program works in rounds. Every round runs, concurrently and to completion:
//
//   - goroutine churn: short-lived goroutines that take jobs from a channel and exit;
//   - channel ping-pong: pairs of goroutines bouncing a value over unbuffered channels,
//     plus a select over several channels;
//   - mutex contention: goroutines fighting over a sync.Mutex, an RWMutex and a sync.Cond;
//   - GC pressure: allocators replacing entries of a live pointer ring (mark work,
//     mark assists, many automatic GC cycles), and every 64th round a forced runtime.GC;
//   - syscalls: file writes (pwrite) to a temporary file that stays small;
//   - network: request/response round trips over persistent TCP connections to an echo
//     server on 127.0.0.1 (ephemeral port, loopback only);
//   - timers and user annotations: short sleeps, a trace task, regions and log messages.
//
// It stops after the first round that ends with at least -size bytes of trace written
// (default), after -rounds rounds, or after the first round that ends past -duration.
// Everything it does is bounded; it never waits on anything outside the process. The
// work of a round is fixed by -seed and the round number, so two runs with the same
// -rounds do the same work (the trace still differs in timestamps and scheduling). At
// the end it prints one line on stderr: rounds, trace bytes, seconds, and the -rounds
// value that reproduces the same work.
//
// Standard library only, no go.mod needed; builds with Go 1.19 to 1.26 (no newer
// language features: loop variables are passed as arguments, no min/max builtins).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Per-round amounts. Tuned so that one round writes roughly 0.5 MB of Go 1.26 trace (a
// size target overshoots by at most that) and every kind of work has a visible share;
// channel ping-pong, the cheapest way to make events, is still the largest (~40%).
const (
	churnGoroutines = 100 // short-lived goroutines per round (a multiple of 20)
	churnJobs       = 16  // jobs each of them takes
	pingPongPairs   = 4
	pingPongMsgs    = 1500 // per pair
	selectMsgs      = 5000
	mutexWorkers    = 6
	mutexIters      = 5000 // per worker
	allocators      = 2
	allocsPerRound  = 50000 // per allocator
	liveSlots       = 1 << 17
	fileWriters     = 2
	fileWrites      = 600 // per writer
	netClients      = 3
	netRoundTrips   = 200 // per client
	sleepers        = 8
	gcEvery         = 64 // rounds between forced runtime.GC calls
)

// counter counts the bytes the tracer writes, so the size target can be checked while
// the program runs. The runtime's trace reader goroutine is its only writer.
type counter struct {
	w io.Writer
	n atomic.Int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// parseSize accepts a byte count with an optional K, M or G suffix (powers of 1024,
// "B"/"iB" tolerated): 100M, 1G, 1GiB, 5000000.
func parseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			t = t[:len(t)-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 100M, 1G or a byte count)", s)
	}
	return int64(v * float64(mult)), nil
}

func main() {
	sizeFlag := flag.String("size", "", "stop once the trace has at least this many bytes (e.g. 100M, 1G)")
	rounds := flag.Int("rounds", 0, "stop after this many rounds")
	duration := flag.Duration("duration", 0, "stop after the first round that ends past this duration")
	procs := flag.Int("procs", 2, "GOMAXPROCS (0: leave the runtime's default); fixed by default so the trace's shape does not depend on the machine")
	seed := flag.Int64("seed", 1, "seed of the work generator")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: stress [-size 100M | -rounds N | -duration 30s] [-procs 2] [-seed 1] OUT.trace")
		flag.PrintDefaults()
	}
	flag.Parse()
	var size int64
	if *sizeFlag != "" {
		var err error
		if size, err = parseSize(*sizeFlag); err != nil {
			fmt.Fprintln(os.Stderr, "stress:", err)
			os.Exit(2)
		}
	}
	set := 0
	for _, b := range []bool{size > 0, *rounds > 0, *duration > 0} {
		if b {
			set++
		}
	}
	if flag.NArg() != 1 || set > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if set == 0 {
		size = 100 << 20
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	if err := run(flag.Arg(0), size, *rounds, *duration, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "stress:", err)
		os.Exit(1)
	}
}

func run(out string, size int64, rounds int, duration time.Duration, seed int64) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &counter{w: bw}

	w, err := newWorld()
	if err != nil {
		f.Close()
		return err
	}
	start := time.Now()
	if err := trace.Start(cw); err != nil {
		w.close()
		f.Close()
		return err
	}
	r := 0
	var werr error
	for {
		if werr = w.round(seed, r); werr != nil {
			break
		}
		r++
		if rounds > 0 && r >= rounds {
			break
		}
		if duration > 0 && time.Since(start) >= duration {
			break
		}
		if size > 0 && cw.n.Load() >= size {
			break
		}
	}
	trace.Stop()
	w.close()
	elapsed := time.Since(start)
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	fmt.Fprintf(os.Stderr, "stress: %s: %d rounds, %d trace bytes, %.1f s (same work: -rounds %d -seed %d)\n",
		runtime.Version(), r, cw.n.Load(), elapsed.Seconds(), r, seed)
	return nil
}

// world holds what lives across rounds: the echo server and its connections, the
// temporary file, the live heap.
type world struct {
	ln      net.Listener
	srvDone sync.WaitGroup
	conns   []net.Conn
	readers []*bufio.Reader
	file    *os.File
	rings   [][]*node
	sink    atomic.Int64 // keeps results observable so work is not optimised away
}

type node struct {
	next *node
	buf  [40]byte
}

func newWorld() (*world, error) {
	w := &world{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.ln = ln
	w.srvDone.Add(1)
	go w.serve()
	for i := 0; i < netClients; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			w.close()
			return nil, err
		}
		w.conns = append(w.conns, c)
		w.readers = append(w.readers, bufio.NewReader(c))
	}
	if w.file, err = os.CreateTemp("", "gtanalyze-stress-*.tmp"); err != nil {
		w.close()
		return nil, err
	}
	for i := 0; i < allocators; i++ {
		w.rings = append(w.rings, make([]*node, liveSlots))
	}
	return w, nil
}

func (w *world) close() {
	for _, c := range w.conns {
		c.Close()
	}
	if w.ln != nil {
		w.ln.Close() // ends Accept; the handlers end when their client closes
		w.srvDone.Wait()
	}
	if w.file != nil {
		name := w.file.Name()
		w.file.Close()
		os.Remove(name)
	}
}

// serve echoes every line on every accepted connection until the listener is closed
// and every connection has ended.
func (w *world) serve() {
	defer w.srvDone.Done()
	var handlers sync.WaitGroup
	for {
		c, err := w.ln.Accept()
		if err != nil {
			break
		}
		handlers.Add(1)
		go func(c net.Conn) {
			defer handlers.Done()
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		}(c)
	}
	handlers.Wait()
}

// round runs one round of every kind of work concurrently and waits for all of it.
func (w *world) round(seed int64, r int) error {
	rng := rand.New(rand.NewSource(seed*1_000_003 + int64(r)))
	ctx, task := trace.NewTask(context.Background(), "round")
	defer task.End()
	trace.Logf(ctx, "round", "%d", r)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	spawn := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			trace.WithRegion(ctx, name, func() { err = fn() })
			if err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	churnSeed, mutexSeed, allocSeed := rng.Int63(), rng.Int63(), rng.Int63()
	spawn("churn", func() error { w.churn(churnSeed); return nil })
	spawn("pingpong", func() error { w.pingPong(); return nil })
	spawn("select", func() error { w.selects(); return nil })
	spawn("mutex", func() error { w.mutexes(mutexSeed); return nil })
	spawn("alloc", func() error { w.alloc(allocSeed, r); return nil })
	spawn("files", func() error { return w.files(r) })
	spawn("net", func() error { return w.network(r) })
	spawn("timers", func() error { w.timers(); return nil })
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	if r%gcEvery == gcEvery-1 {
		runtime.GC()
	}
	return nil
}

// churn creates short-lived goroutines in batches, like a server's per-request
// goroutines: each takes a few jobs from a shared channel (blocking when it is empty),
// computes, reports on a results channel and exits. The number of goroutines per round
// is kept moderate because every goroutine is a row of the JSON summary: the summary's
// size grows with it, and the benchmark should measure trace reading, not JSON writing.
func (w *world) churn(seed int64) {
	rng := rand.New(rand.NewSource(seed))
	const batch = 20
	jobs, results := make(chan int), make(chan int, batch)
	for i := 0; i < churnGoroutines; i += batch {
		var wg sync.WaitGroup
		for k := 0; k < batch; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < churnJobs; j++ {
					n := <-jobs
					s := 0
					for x := 0; x < n; x++ {
						s += x * x
					}
					results <- s
				}
			}()
		}
		go func() {
			for j := 0; j < batch*churnJobs; j++ {
				jobs <- 50 + rng.Intn(200)
			}
		}()
		sum := 0
		for j := 0; j < batch*churnJobs; j++ {
			sum += <-results
		}
		wg.Wait()
		w.sink.Add(int64(sum))
	}
}

// pingPong bounces a counter between the two goroutines of each pair over unbuffered
// channels: every message blocks one side and unblocks the other.
func (w *world) pingPong() {
	var wg sync.WaitGroup
	for p := 0; p < pingPongPairs; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < pingPongMsgs; i++ {
				ping <- i
				<-pong
			}
			close(ping)
		}()
		go func() {
			defer wg.Done()
			for v := range ping {
				pong <- v + 1
			}
		}()
	}
	wg.Wait()
}

// selects has one goroutine select over three producers and a timeout channel.
func (w *world) selects() {
	a, b, c := make(chan int), make(chan int), make(chan int, 4)
	done := make(chan struct{})
	produce := func(ch chan int, n int) {
		for i := 0; i < n; i++ {
			ch <- i
		}
	}
	go produce(a, selectMsgs/3)
	go produce(b, selectMsgs/3)
	go produce(c, selectMsgs-2*(selectMsgs/3))
	go func() {
		defer close(done)
		sum := 0
		for got := 0; got < selectMsgs; got++ {
			select {
			case v := <-a:
				sum += v
			case v := <-b:
				sum += v
			case v := <-c:
				sum += v
			}
		}
		w.sink.Add(int64(sum))
	}()
	<-done
}

// mutexes has workers contend for a Mutex (short critical sections, sometimes a
// yield inside), an RWMutex (mostly readers) and a Cond-based hand-off.
func (w *world) mutexes(seed int64) {
	var mu sync.Mutex
	var rw sync.RWMutex
	shared := 0
	table := make(map[int]int, 64)
	var wg sync.WaitGroup
	for k := 0; k < mutexWorkers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(k)))
			for i := 0; i < mutexIters; i++ {
				mu.Lock()
				shared++
				if rng.Intn(16) == 0 {
					runtime.Gosched() // hold the lock across a yield: others block
				}
				mu.Unlock()
				if rng.Intn(8) == 0 {
					rw.Lock()
					table[rng.Intn(64)] = i
					rw.Unlock()
				} else {
					rw.RLock()
					_ = table[rng.Intn(64)]
					rw.RUnlock()
				}
			}
		}(k)
	}
	// Cond hand-off: a producer signals items one by one to two consumers.
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	items, consumed, total := 0, 0, mutexIters/2
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmu.Lock()
			defer cmu.Unlock()
			for consumed < total {
				for items == 0 && consumed < total {
					cond.Wait()
				}
				if items > 0 {
					items--
					consumed++
					cond.Broadcast()
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		cmu.Lock()
		items++
		cond.Broadcast()
		cmu.Unlock()
	}
	wg.Wait()
	w.sink.Add(int64(shared))
}

// alloc replaces entries of each allocator's live ring with fresh small objects: the
// rings stay live (mark work), the replaced objects become garbage (allocation rate).
func (w *world) alloc(seed int64, r int) {
	var wg sync.WaitGroup
	for a := 0; a < allocators; a++ {
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			ring := w.rings[a]
			off := int(seed%liveSlots+liveSlots) % liveSlots
			for i := 0; i < allocsPerRound; i++ {
				n := &node{}
				n.buf[0] = byte(i + a)
				slot := (off + i*7) % liveSlots
				if old := ring[slot]; old != nil {
					n.next = old.next // bounded chains: at most two deep
				}
				ring[(off+i)%liveSlots] = n
			}
			if r%8 == a {
				w.sink.Add(int64(len(make([]byte, 1<<20)))) // a large object now and then
			}
		}(a)
	}
	wg.Wait()
}

// files writes 4 KiB blocks with pwrite to the temporary file, at offsets that wrap
// around 256 KiB so it never grows beyond that.
func (w *world) files(r int) error {
	var wg sync.WaitGroup
	errs := make([]error, fileWriters)
	for k := 0; k < fileWriters; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			block := make([]byte, 4096)
			for i := 0; i < fileWrites; i++ {
				block[0] = byte(r + i)
				off := int64(((r*fileWrites+i)*fileWriters+k)%64) * 4096
				if _, err := w.file.WriteAt(block, off); err != nil {
					errs[k] = err
					return
				}
			}
		}(k)
	}
	wg.Wait()
	return firstErr(errs)
}

// network does request/response round trips on each persistent connection; the
// echo server's handler goroutines answer them.
func (w *world) network(r int) error {
	var wg sync.WaitGroup
	errs := make([]error, len(w.conns))
	for k := range w.conns {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			c, rd := w.conns[k], w.readers[k]
			for i := 0; i < netRoundTrips; i++ {
				msg := "round " + strconv.Itoa(r) + " client " + strconv.Itoa(k) + " msg " + strconv.Itoa(i) + "\n"
				if _, err := io.WriteString(c, msg); err != nil {
					errs[k] = err
					return
				}
				reply, err := rd.ReadString('\n')
				if err != nil {
					errs[k] = err
					return
				}
				if reply != msg {
					errs[k] = fmt.Errorf("echo: got %q, want %q", reply, msg)
					return
				}
			}
		}(k)
	}
	wg.Wait()
	return firstErr(errs)
}

// timers has a few goroutines sleep briefly (timer-driven wake-ups).
func (w *world) timers() {
	var wg sync.WaitGroup
	for i := 0; i < sleepers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(50+10*i) * time.Microsecond)
		}(i)
	}
	wg.Wait()
}

// firstErr returns the first non-nil error (errors.Join needs Go 1.20).
func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
