package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var sink uint64
var traceFile *os.File

func startTrace(path string) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	traceFile = f
	if err := trace.Start(f); err != nil {
		panic(err)
	}
}

func stopTrace() {
	trace.Stop()
	traceFile.Close()
}

type T struct{ n int }

func (t *T) Run(wg *sync.WaitGroup) { defer wg.Done(); t.n++ }

type Runner interface{ Run(wg *sync.WaitGroup) }

func generic[X any](x X, wg *sync.WaitGroup) { defer wg.Done(); _ = x }

func churn(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func variety() {
	var wg sync.WaitGroup
	t := &T{}
	var r Runner = t
	wg.Add(4)
	go t.Run(&wg)
	go r.Run(&wg)
	f := t.Run
	go f(&wg)
	go fmt.Sprint(wg.Done) // builtin-ish wrapper: go of a function from another package with args
	wg.Done()
	defer func() {}()
	wg.Wait()
	// go with deferred-like wrapper: go of a builtin closure call with arguments
	done := make(chan struct{})
	go close(done)
	<-done
	time.Sleep(time.Millisecond)
}

func blocking() {
	var wg sync.WaitGroup
	// channels
	ch := make(chan int)
	wg.Add(2)
	go func() { defer wg.Done(); for i := 0; i < 5; i++ { ch <- i } }()
	go func() { defer wg.Done(); for i := 0; i < 5; i++ { time.Sleep(200 * time.Microsecond); <-ch } }()
	// select with timers
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(300 * time.Microsecond)
		defer tk.Stop()
		for i := 0; i < 5; i++ {
			select {
			case <-tk.C:
			case <-time.After(time.Second):
			}
		}
	}()
	// mutex / rwmutex contention
	var mu sync.Mutex
	var rw sync.RWMutex
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				mu.Lock()
				x := sink
				for k := 0; k < 1000; k++ { x = x*31 + 7 }
				sink = x
				mu.Unlock()
				rw.RLock(); rw.RUnlock()
				if j%5 == 0 { rw.Lock(); time.Sleep(10 * time.Microsecond); rw.Unlock() }
			}
		}()
	}
	// cond
	c := sync.NewCond(&mu)
	ready := false
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); mu.Lock(); for !ready { c.Wait() }; mu.Unlock() }()
	}
	time.Sleep(2 * time.Millisecond)
	mu.Lock(); ready = true; c.Broadcast(); mu.Unlock()
	// syscalls: pipe read blocking
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil { panic(err) }
	wg.Add(1)
	go func() { defer wg.Done(); b := make([]byte, 1); syscall.Read(p[0], b) }()
	time.Sleep(3 * time.Millisecond)
	syscall.Write(p[1], []byte{1})
	// file io
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			f, _ := os.Open("/proc/self/stat")
			io.ReadAll(f)
			f.Close()
		}
	}()
	// network
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil { return }
		io.Copy(c, c)
		c.Close()
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil { panic(err) }
	buf := make([]byte, 4)
	for i := 0; i < 10; i++ { conn.Write([]byte("ping")); io.ReadFull(conn, buf) }
	conn.Close()
	wg.Wait()
	ln.Close()
	// AfterFunc
	done := make(chan bool)
	time.AfterFunc(500*time.Microsecond, func() { done <- true })
	<-done
	// LockOSThread
	wg.Add(2)
	go func() { defer wg.Done(); runtime.LockOSThread(); time.Sleep(time.Millisecond); runtime.UnlockOSThread() }()
	go func() { defer wg.Done(); runtime.LockOSThread(); ch2 := make(chan int); go func() { ch2 <- 1 }(); <-ch2 }() // exits locked -> thread dies
	wg.Wait()
	runtime.GC()
	debug.FreeOSMemory()
}

func main() {
	mode := os.Args[1]
	tr := os.Args[2]
	switch mode {
	case "basic":
		startTrace(tr); churn(200); variety(); blocking(); stopTrace()
	case "churn":
		startTrace(tr); for i := 0; i < 20; i++ { churn(300) }; stopTrace()
	case "quick":
		startTrace(tr); stopTrace()
	case "quick2":
		startTrace(tr); go func() {}(); stopTrace()
	case "late":
		// goroutines exist and block before trace; unblock during trace; some still running at stop
		ch := make(chan int)
		var mu sync.Mutex
		mu.Lock()
		for i := 0; i < 10; i++ { go func() { <-ch }() }
		for i := 0; i < 5; i++ { go func() { mu.Lock(); mu.Unlock() }() }
		var stop int32
		for i := 0; i < 2; i++ { go func() { for atomic.LoadInt32(&stop) == 0 { time.Sleep(100 * time.Microsecond) } }() }
		go func() { for atomic.LoadInt32(&stop) == 0 { x := sink; for k := 0; k < 100000; k++ { x = x*31 + 7 }; sink = x } }()
		time.Sleep(20 * time.Millisecond)
		startTrace(tr)
		close(ch)
		mu.Unlock()
		churn(100)
		blocking()
		stopTrace()
		churn(100)
		atomic.StoreInt32(&stop, 1)
		time.Sleep(5 * time.Millisecond)
	case "panic":
		startTrace(tr); churn(50)
		go func() { time.Sleep(time.Millisecond); panic("boom") }()
		select {}
	case "exit":
		startTrace(tr); churn(50); blocking(); os.Exit(3)
	case "exitmid":
		startTrace(tr); go func() { for { churn(10) } }(); time.Sleep(5 * time.Millisecond); os.Exit(0)
	case "signal":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1)
		startTrace(tr)
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		<-c
		churn(10)
		stopTrace()
	case "wait":
		// for --pid: print ready, then run workload periodically, tracing between two signals
		fmt.Println("ready")
		os.Stdout.Sync()
		var stop int32
		go func() { for atomic.LoadInt32(&stop) == 0 { churn(20); time.Sleep(time.Millisecond) } }()
		time.Sleep(time.Duration(atoi(os.Args[3])) * time.Millisecond)
		startTrace(tr); churn(100); blocking(); stopTrace()
		atomic.StoreInt32(&stop, 1)
		time.Sleep(time.Duration(atoi(os.Args[4])) * time.Millisecond)
	case "restart":
		// trace twice in one run
		startTrace(tr); churn(50); stopTrace()
		churn(50)
		startTrace(tr + ".2"); churn(50); blocking(); stopTrace()
	case "waitlong":
		fmt.Println("ready")
		os.Stdout.Sync()
		startTrace(tr)
		t0 := time.Now()
		for time.Since(t0) < time.Duration(atoi(os.Args[3]))*time.Millisecond { churn(20); blocking() }
		stopTrace()
		time.Sleep(time.Duration(atoi(os.Args[4])) * time.Millisecond)
	case "edge":
		var stop int32
		var bg sync.WaitGroup
		for w := 0; w < 3; w++ {
			bg.Add(1)
			go func() { defer bg.Done(); for atomic.LoadInt32(&stop) == 0 { churn(5) } }()
		}
		// a goroutine in a blocking syscall across the trace start, one across the stop
		var p [2]int
		syscall.Pipe(p[:])
		go func() { b := make([]byte, 1); syscall.Read(p[0], b); syscall.Read(p[0], b) }()
		// leaks from before and during
		for i := 0; i < 3; i++ { go func() { select {} }() }
		lk := make(chan int)
		for i := 0; i < 3; i++ { go func() { <-lk }() }
		time.Sleep(3 * time.Millisecond)
		startTrace(tr)
		syscall.Write(p[1], []byte{1})
		for i := 0; i < 3; i++ { go func() { <-lk }() }
		time.Sleep(5 * time.Millisecond)
		stopTrace()
		syscall.Write(p[1], []byte{1})
		atomic.StoreInt32(&stop, 1)
		bg.Wait()
	case "child":
		startTrace(tr)
		churn(50)
		exe, _ := os.Executable()
		cmd := exec.Command(exe, "churn", tr+".child")
		cmd.Stdout = os.Stdout
		if err := cmd.Run(); err != nil { panic(err) }
		churn(50)
		stopTrace()
	case "long":
		startTrace(tr); for i := 0; i < 100; i++ { churn(50); blocking() }; stopTrace()
	default:
		panic("mode")
	}
}

func atoi(s string) int { n := 0; fmt.Sscan(s, &n); return n }
