// Command v1dump prints the parsed old events of a trace as Go 1.19's `go tool trace -d`, from a
// Go 1.19 tree patched to order ties deterministically and to read 1.5/1.6 traces without their
// binary (tools/reference/patches-1.19).
package main

import (
	"bufio"
	"fmt"
	"internal/trace"
	"os"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	res, err := trace.Parse(bufio.NewReader(f), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, ev := range res.Events {
		fmt.Fprintf(w, "%s\n", ev)
	}
}
