// Command syscalls writes an execution trace (to os.Args[1]) of system
// calls: file writes, fsync and reads in os.TempDir, a read on an os.Pipe
// (non-blocking fd, parks in the network poller) and a read on a raw
// syscall.Pipe fd (blocking fd, so the goroutine blocks inside the read
// syscall until another goroutine writes to the pipe later).
//
// It is part of the gtanalyze test corpus (see corpus/README.md) and must
// build with every Go toolchain from 1.19 on: standard library only. The
// raw pipe uses syscall.Pipe, which exists on Linux and the BSDs.
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: syscalls OUT.trace")
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
	err = run()
	trace.Stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if err := files(3, 32); err != nil {
		return err
	}
	if err := osPipe(); err != nil {
		return err
	}
	return rawPipe()
}

// files has a few goroutines each write a temp file in 4 KiB chunks, fsync
// it, read it back and remove it.
func files(workers, chunks int) error {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	chunk := bytes.Repeat([]byte("gtanalyze"), 4096/9+1)[:4096]
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fileRoundTrip(chunk, chunks); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	return nil
}

func fileRoundTrip(chunk []byte, chunks int) error {
	tf, err := os.CreateTemp(os.TempDir(), "gtanalyze-corpus-*")
	if err != nil {
		return err
	}
	name := tf.Name()
	defer os.Remove(name)
	for i := 0; i < chunks; i++ {
		if _, err := tf.Write(chunk); err != nil {
			tf.Close()
			return err
		}
	}
	if err := tf.Sync(); err != nil {
		tf.Close()
		return err
	}
	if err := tf.Close(); err != nil {
		return err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if len(data) != len(chunk)*chunks {
		return fmt.Errorf("%s: read %d bytes, want %d", name, len(data), len(chunk)*chunks)
	}
	return nil
}

// osPipe blocks a reader on an os.Pipe until a writer goroutine writes
// 5 ms later (os.Pipe fds are non-blocking and go through the poller).
func osPipe() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	go func() {
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte("hello"))
		w.Close()
	}()
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "hello" {
		return fmt.Errorf("os.Pipe: got %q", buf[:n])
	}
	return nil
}

// rawPipe blocks a goroutine inside the read(2) system call on a blocking
// pipe fd; another goroutine fills the pipe 10 ms later, several times.
func rawPipe() error {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		return err
	}
	defer syscall.Close(fds[0])
	const rounds = 5
	go func() {
		for i := 0; i < rounds; i++ {
			time.Sleep(10 * time.Millisecond)
			syscall.Write(fds[1], []byte{byte('a' + i)})
		}
		syscall.Close(fds[1])
	}()
	buf := make([]byte, 1)
	for i := 0; i < rounds; i++ {
		n, err := syscall.Read(fds[0], buf) // blocks in the kernel
		if err != nil {
			return err
		}
		if n != 1 || buf[0] != byte('a'+i) {
			return fmt.Errorf("raw pipe: got %q", buf[:n])
		}
	}
	return nil
}
