// httpbench: an HTTP service and its load generator, for the collector's overhead on a server.
//
//	httpbench serve ADDR               answer GET /item?id=N until GET /quit, then print
//	                                   "REQUESTS CPU_NS" (CPU_NS: the process's user + system time)
//	httpbench load ADDR CONNS SECONDS  CONNS keep-alive clients for SECONDS; print requests/s
//
// Each request looks an item up in a shared in-memory store (a map behind a sync.RWMutex) and
// answers it as JSON: the kind of handler a small API service has. Run the load as its own
// process so that only the server is observed. Standard library only; builds with Go 1.19+.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type item struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags"`
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func serve(addr string) {
	var mu sync.RWMutex
	store := map[int]item{}
	for i := 0; i < 1000; i++ {
		store[i] = item{ID: i, Name: "item " + strconv.Itoa(i), Price: float64(i) / 4, Tags: []string{"a", "b", "c"}}
	}
	var requests int64
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/item", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		mu.RLock()
		it, ok := store[id%1000]
		mu.RUnlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(it)
	})
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) { close(done) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := cpuTime()
	go http.Serve(ln, mux)
	<-done
	fmt.Println(atomic.LoadInt64(&requests), (cpuTime() - start).Nanoseconds())
}

func load(addr string, conns int, seconds float64) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	get := func(path string) error {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	// The server may still be starting (under the collector, it starts once the probes are live).
	for tries := 0; get("/item?id=0") != nil; tries++ {
		if tries == 500 {
			fmt.Fprintln(os.Stderr, "httpbench: no server at", addr)
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	var total int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	start := time.Now()
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; time.Now().Before(deadline); i += conns {
				if get("/item?id="+strconv.Itoa(i)) == nil {
					atomic.AddInt64(&total, 1)
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	get("/quit")
	fmt.Printf("%.0f\n", float64(total)/elapsed)
}

func main() {
	if len(os.Args) >= 3 && os.Args[1] == "serve" {
		serve(os.Args[2])
		return
	}
	if len(os.Args) == 5 && os.Args[1] == "load" {
		conns, _ := strconv.Atoi(os.Args[3])
		seconds, _ := strconv.ParseFloat(os.Args[4], 64)
		load(os.Args[2], conns, seconds)
		return
	}
	fmt.Fprintln(os.Stderr, "usage: httpbench serve ADDR | httpbench load ADDR CONNS SECONDS")
	os.Exit(2)
}
