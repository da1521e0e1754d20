// testprog: the collector's test program. It writes its own execution trace (argument 1) while
// its goroutines block in every way the crosscheck compares: channel send and receive, select,
// sync.Mutex, sync.Cond, time.Sleep, a blocking read(2), and three deliberate leaks. Standard
// library only; builds with Go 1.19 through 1.26.
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func chanSender(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 3; i++ {
		ch <- i
	}
}

func chanReceiver(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 3; i++ {
		time.Sleep(time.Millisecond) // let the sender block first
		<-ch
	}
}

func selector(a, b chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 2; i++ {
		select {
		case <-a:
		case <-b:
		}
	}
}

func mutexWaiter(mu *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	mu.Unlock()
}

func condWaiter(mu *sync.Mutex, c *sync.Cond, ready *bool, wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	for !*ready {
		c.Wait()
	}
	mu.Unlock()
}

func sleeper(wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(5 * time.Millisecond)
}

func syscallReader(fd int, wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 1)
	syscall.Read(fd, buf) // blocks in the kernel until the writer writes
}

func leakRecv(ch chan int) { <-ch }

func leakSelect() { select {} }

func leakNilSend() {
	var ch chan int
	ch <- 1
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: testprog TRACE")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	var wg sync.WaitGroup

	ch := make(chan int)
	wg.Add(2)
	go chanSender(ch, &wg)
	go chanReceiver(ch, &wg)

	a, b := make(chan int), make(chan int)
	wg.Add(1)
	go selector(a, b, &wg)

	var mu sync.Mutex
	mu.Lock()
	wg.Add(1)
	go mutexWaiter(&mu, &wg)

	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready := false
	wg.Add(1)
	go condWaiter(&cmu, cond, &ready, &wg)

	wg.Add(1)
	go sleeper(&wg)

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	wg.Add(1)
	go syscallReader(p[0], &wg)

	go leakRecv(make(chan int))
	go leakSelect()
	go leakNilSend()

	time.Sleep(10 * time.Millisecond) // everyone is blocked now
	a <- 1
	b <- 2
	mu.Unlock()
	cmu.Lock()
	ready = true
	cond.Broadcast()
	cmu.Unlock()
	syscall.Write(p[1], []byte{1})
	wg.Wait()
	time.Sleep(5 * time.Millisecond) // the leaks stay blocked
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
