// Command netio writes an execution trace (to os.Args[1]) of network
// blocking: a TCP echo server on 127.0.0.1 (ephemeral port) and a few
// clients doing request/response round trips. Accept, Read and Write park
// goroutines in the network poller.
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

const (
	clients   = 3
	roundTrip = 20
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: netio OUT.trace")
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
	if err := run(); err != nil {
		trace.Stop()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var srv sync.WaitGroup
	srv.Add(1)
	go serve(ln, &srv)

	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			if err := client(ln.Addr().String(), id); err != nil {
				errs <- err
			}
		}(c)
	}
	wg.Wait()
	ln.Close() // unblocks Accept with an error
	srv.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	return nil
}

// serve accepts connections until the listener is closed and echoes each
// line back after a short delay, so clients really block in Read.
func serve(ln net.Listener, done *sync.WaitGroup) {
	defer done.Done()
	var conns sync.WaitGroup
	for {
		conn, err := ln.Accept()
		if err != nil {
			break
		}
		conns.Add(1)
		go func(c net.Conn) {
			defer conns.Done()
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				time.Sleep(200 * time.Microsecond)
				if _, err := c.Write([]byte(line)); err != nil {
					return
				}
			}
		}(conn)
	}
	conns.Wait()
}

// client dials the server and performs roundTrip request/response exchanges.
func client(addr string, id int) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for i := 0; i < roundTrip; i++ {
		msg := fmt.Sprintf("client %d request %d\n", id, i)
		if _, err := conn.Write([]byte(msg)); err != nil {
			return err
		}
		reply, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if reply != msg {
			return fmt.Errorf("client %d: got %q, want %q", id, reply, msg)
		}
	}
	return nil
}
