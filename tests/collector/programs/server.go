package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "hello %s", r.URL.Path) }))
	url := "http://" + ln.Addr().String() + "/x"
	var stop int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{}
			for atomic.LoadInt32(&stop) == 0 {
				r, err := c.Get(url)
				if err == nil { io.Copy(io.Discard, r.Body); r.Body.Close() }
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	f, _ := os.Create(os.Args[1])
	trace.Start(f)
	time.Sleep(300 * time.Millisecond)
	trace.Stop()
	f.Close()
	time.Sleep(50 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
}
