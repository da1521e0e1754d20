// bench: a worst-case goroutine-churn workload for the collector's overhead figure. N goroutines
// spawned and exited, N unbuffered ping-pong round trips, 8 goroutines × N/5 contended mutex
// locks. Prints the elapsed wall time and the process's CPU time (user + system, which includes
// the uprobe traps the collector adds), both in nanoseconds. Standard library only.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	n := 50000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	start, startCPU := time.Now(), cpuTime()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()

	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)

	var mu sync.Mutex
	counter := 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/5; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println(time.Since(start).Nanoseconds(), (cpuTime() - startCPU).Nanoseconds())
}
