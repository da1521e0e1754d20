// Command text2traceref converts a Go text trace (or .test file) into wire bytes with Go's own
// raw.TextReader and raw.Writer: the reference for gtanalyze-text2trace.
package main

import (
	"bytes"
	"fmt"
	"internal/trace/raw"
	"internal/txtar"
	"io"
	"os"
	"strings"
)

func main() {
	in, out := os.Args[1], os.Args[2]
	data, err := os.ReadFile(in)
	if err != nil {
		panic(err)
	}
	if strings.HasSuffix(in, ".test") {
		ar := txtar.Parse(data)
		data = ar.Files[1].Data
	}
	tr, err := raw.NewTextReader(bytes.NewReader(data))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	tw, err := raw.NewWriter(&buf, tr.Version())
	if err != nil {
		panic(err)
	}
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := tw.WriteEvent(ev); err != nil {
			panic(err)
		}
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
