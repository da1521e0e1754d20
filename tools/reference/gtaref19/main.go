// Command gtaref19 is gtanalyze's reference for the oldest trace formats (Go 1.5-1.10), which
// Go 1.26 no longer reads: it parses a trace with Go 1.19's internal/trace and prints, as JSON,
// what that parser implies about each goroutine: that it exists, its start function, its final
// state and wait reason, and which goroutines are leak candidates by gtanalyze's rule
// (docs/json-schema.md). The state and reason of each old event are those Go 1.26's converter
// (internal/trace/tracev1.go) gives it, so both readers speak of the same thing.
//
// It lives in a copy of the Go 1.19 source tree; build it with tools/reference/build.sh.
// Usage: gtaref19 TRACE
package main

import (
	"encoding/json"
	"fmt"
	"internal/trace"
	"os"
	"regexp"
	"sort"
)

var leakReasons = map[string]bool{
	"chan receive": true, "chan send": true, "select": true, "sync": true,
	"sync.(*Cond).Wait": true, "forever": true,
}

var leakIgnore = regexp.MustCompile(`^(runtime|runtime/trace)\.`)

// blockReasons: the wait reason of each old blocking event, as Go 1.26 converts it.
var blockReasons = map[byte]string{
	trace.EvGoStop: "forever", trace.EvGoSleep: "sleep", trace.EvGoBlock: "",
	trace.EvGoBlockSend: "chan send", trace.EvGoBlockRecv: "chan receive",
	trace.EvGoBlockSelect: "select", trace.EvGoBlockSync: "sync",
	trace.EvGoBlockCond: "sync.(*Cond).Wait", trace.EvGoBlockNet: "network",
	trace.EvGoBlockGC: "GC mark assist wait for work",
}

type goroutine struct {
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	FinalState  string `json:"final_state"`
	FinalReason string `json:"final_reason"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gtaref19 TRACE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gtaref19:", err)
		os.Exit(2)
	}
	res, err := trace.Parse(f, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gtaref19:", err)
		os.Exit(2)
	}
	stats := trace.GoroutineStats(res.Events)
	gs := map[uint64]*goroutine{}
	get := func(id uint64) *goroutine {
		g := gs[id]
		if g == nil {
			g = &goroutine{ID: id, FinalState: "undetermined"}
			gs[id] = g
		}
		return g
	}
	set := func(id uint64, state, reason string) {
		g := get(id)
		g.FinalState, g.FinalReason = state, reason
	}
	for _, ev := range res.Events {
		switch ev.Type {
		case trace.EvGoCreate:
			set(ev.Args[0], "runnable", "")
		case trace.EvGoStart, trace.EvGoStartLabel:
			set(ev.G, "running", "")
		case trace.EvGoEnd:
			set(ev.G, "notexist", "")
		case trace.EvGoSched, trace.EvGoPreempt, trace.EvGoSysExit:
			set(ev.G, "runnable", "")
		case trace.EvGoUnblock:
			set(ev.Args[0], "runnable", "")
		case trace.EvGoSysBlock, trace.EvGoInSyscall:
			set(ev.G, "syscall", "")
		case trace.EvGoWaiting:
			set(ev.G, "waiting", "")
		default:
			if reason, ok := blockReasons[ev.Type]; ok {
				set(ev.G, "waiting", reason)
			}
		}
	}
	ids := []uint64{}
	for id := range stats {
		get(id).Name = stats[id].Name
	}
	for id := range gs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := struct {
		Goroutines     []*goroutine `json:"goroutines"`
		LeakCandidates []uint64     `json:"leak_candidates"`
	}{Goroutines: []*goroutine{}, LeakCandidates: []uint64{}}
	for _, id := range ids {
		g := gs[id]
		out.Goroutines = append(out.Goroutines, g)
		if g.FinalState == "waiting" && leakReasons[g.FinalReason] && !leakIgnore.MatchString(g.Name) {
			out.LeakCandidates = append(out.LeakCandidates, id)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gtaref19:", err)
		os.Exit(2)
	}
}
