// Command gtaref is gtanalyze's reference: it reads a trace with Go's own parser
// (internal/trace, the code behind `go tool trace`) and prints the gtanalyze/v1 JSON
// contract (docs/json-schema.md) computed from Go's goroutine summariser: goroutines with their
// user regions, tasks with their logs, and region and task statistics by name. The goldens in
// tests/golden/json are its output; gtanalyze must equal them exactly.
//
// It lives in a copy of the Go source tree (it imports internal packages); build it with
// tools/reference/build.sh.
//
// Usage: gtaref [-read-only | -summary-only] TRACE
//
//	-read-only     read every event and print only the event count (for benchmarks)
//	-summary-only  feed every event to Go's summariser alone and print only the goroutine
//	               count: Go's own cost of the goroutine analysis, for benchmarks (the JSON
//	               mode also tracks stacks and latencies Go does not, which costs more)
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"internal/trace"
)

// leakReasons are the wait reasons that only another goroutine can end.
var leakReasons = map[string]bool{
	"chan receive": true, "chan send": true, "select": true, "sync": true,
	"sync.(*Cond).Wait": true, "forever": true,
}

// leakIgnore is the default list of start functions whose goroutines are never leak candidates:
// the runtime's and the tracer's own goroutines.
var leakIgnore = regexp.MustCompile(`^(runtime|runtime/trace)\.`)

type frame struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     uint64 `json:"line"`
}

// tracker follows what the Summarizer does not keep: each goroutine's last state change,
// its creation and block stacks, and scheduler latencies.
type gstate struct {
	finalState   trace.GoState
	finalReason  string
	finalTime    trace.Time
	blockStack   []frame
	createStack  []frame
	runnableFrom trace.Time // when it became runnable, if seen (0 otherwise)
	latencies    []int64
}

func frames(s trace.Stack) []frame {
	out := []frame{}
	for f := range s.Frames() {
		out = append(out, frame{f.Func, f.File, f.Line})
	}
	return out
}

func stateName(s trace.GoState) string {
	return strings.ToLower(s.String())
}

func percentiles(samples []int64) map[string]int64 {
	if len(samples) == 0 {
		return map[string]int64{"count": 0, "p50_ns": 0, "p90_ns": 0, "p99_ns": 0, "max_ns": 0}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := func(p int) int64 {
		// Nearest rank: the smallest sample with at least p% of the samples at or below it.
		idx := (p*len(s) + 99) / 100
		if idx < 1 {
			idx = 1
		}
		return s[idx-1]
	}
	return map[string]int64{"count": int64(len(s)), "p50_ns": rank(50), "p90_ns": rank(90), "p99_ns": rank(99), "max_ns": s[len(s)-1]}
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func main() {
	readOnly := flag.Bool("read-only", false, "only read every event and print the count")
	summaryOnly := flag.Bool("summary-only", false, "only run Go's summariser and print the goroutine count")
	leakProfile := flag.String("leak-profile", "", "prove leaks with this goroutineleak profile (leakproof.go)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gtaref [-read-only | -summary-only] [-leak-profile PROFILE] TRACE")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gtaref:", err)
		os.Exit(2)
	}
	defer f.Close()
	header := make([]byte, 16)
	if _, err := io.ReadFull(f, header); err != nil {
		fmt.Fprintln(os.Stderr, "gtaref:", err)
		os.Exit(2)
	}
	goVersion := strings.TrimSuffix(strings.TrimPrefix(strings.TrimRight(string(header), "\x00"), "go "), " trace")
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		fmt.Fprintln(os.Stderr, "gtaref:", err)
		os.Exit(2)
	}
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gtaref:", err)
		os.Exit(2)
	}

	sum := trace.NewSummarizer()
	gs := map[trace.GoID]*gstate{}
	get := func(id trace.GoID) *gstate {
		g := gs[id]
		if g == nil {
			g = &gstate{createStack: []frame{}, blockStack: []frame{}}
			gs[id] = g
		}
		return g
	}
	var events int64
	var first, last trace.Time
	gcCycles := 0
	type stwKind struct {
		Count   int64 `json:"count"`
		TotalNs int64 `json:"total_ns"`
		MaxNs   int64 `json:"max_ns"`
	}
	stwByKind := map[string]*stwKind{}
	var stwOpen bool
	var stwBegin trace.Time
	var stwName string
	var stwCount, stwTotal, stwMax int64
	closeSTW := func(end trace.Time) {
		d := int64(end - stwBegin)
		k := stwByKind[stwName]
		if k == nil {
			k = &stwKind{}
			stwByKind[stwName] = k
		}
		k.TotalNs += d
		k.MaxNs = max(k.MaxNs, d)
		stwTotal += d
		stwMax = max(stwMax, d)
		stwOpen = false
	}
	var readErr error
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if events == 0 {
			first = ev.Time()
		}
		events++
		last = ev.Time()
		if *readOnly {
			continue
		}
		sum.Event(&ev)
		if *summaryOnly {
			continue
		}
		switch ev.Kind() {
		case trace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				break
			}
			from, to := st.Goroutine()
			if from == to {
				break
			}
			g := get(st.Resource.Goroutine())
			if from == trace.GoNotExist {
				g.createStack = frames(ev.Stack())
			}
			if from == trace.GoRunnable && to == trace.GoRunning && g.runnableFrom != 0 {
				g.latencies = append(g.latencies, int64(ev.Time()-g.runnableFrom))
			}
			g.runnableFrom = 0
			if to == trace.GoRunnable && from != trace.GoUndetermined {
				g.runnableFrom = ev.Time()
			}
			g.finalState, g.finalTime, g.finalReason = to, ev.Time(), ""
			if to == trace.GoWaiting {
				g.finalReason = st.Reason
				g.blockStack = frames(st.Stack)
			}
		case trace.EventRangeBegin:
			name := ev.Range().Name
			if name == "GC concurrent mark phase" {
				gcCycles++
			}
			if strings.HasPrefix(name, "stop-the-world (") {
				if stwOpen {
					closeSTW(ev.Time())
				}
				stwOpen, stwBegin, stwName = true, ev.Time(), strings.TrimSuffix(strings.TrimPrefix(name, "stop-the-world ("), ")")
				stwCount++
				k := stwByKind[stwName]
				if k == nil {
					k = &stwKind{}
					stwByKind[stwName] = k
				}
				k.Count++
			}
		case trace.EventRangeEnd:
			if strings.HasPrefix(ev.Range().Name, "stop-the-world (") && stwOpen {
				closeSTW(ev.Time())
			}
		}
	}
	if *readOnly {
		if readErr != nil {
			fmt.Fprintln(os.Stderr, "gtaref:", readErr)
			os.Exit(2)
		}
		fmt.Println(events)
		return
	}
	if *summaryOnly {
		if readErr != nil {
			fmt.Fprintln(os.Stderr, "gtaref:", readErr)
			os.Exit(2)
		}
		fmt.Println(len(sum.Finalize().Goroutines))
		return
	}
	if stwOpen {
		closeSTW(last)
	}
	warnings := []string{}
	if readErr != nil {
		// Like `go tool trace`, analyse what was read before the error.
		warnings = append(warnings, readErr.Error())
	}
	summary := sum.Finalize()

	rel := func(t trace.Time) any {
		if t == 0 {
			return nil
		}
		return int64(t - first)
	}
	// An event's time, or null when Go has no event (a region's or task's missing start or end).
	evTime := func(ev *trace.Event) any {
		if ev == nil {
			return nil
		}
		return int64(ev.Time() - first)
	}
	// Region and task durations as cmd/trace computes them (regionInterval, taskInterval): a
	// missing start or end is the trace's first or last event. Stats count only complete ones.
	interval := func(start, end *trace.Event) int64 {
		s, e := first, last
		if start != nil {
			s = start.Time()
		}
		if end != nil {
			e = end.Time()
		}
		return int64(e - s)
	}
	type spanAcc struct {
		count     int64
		durations []int64
	}
	addSpan := func(m map[string]*spanAcc, name string, start, end *trace.Event) {
		if name == "" { // synthetic regions, task 0: not counted
			return
		}
		a := m[name]
		if a == nil {
			a = &spanAcc{}
			m[name] = a
		}
		a.count++
		if start != nil && end != nil {
			a.durations = append(a.durations, interval(start, end))
		}
	}
	spanStats := func(m map[string]*spanAcc) map[string]any {
		out := map[string]any{}
		for name, a := range m {
			p := percentiles(a.durations)
			out[name] = map[string]int64{"count": a.count, "complete": p["count"],
				"p50_ns": p["p50_ns"], "p90_ns": p["p90_ns"], "p99_ns": p["p99_ns"], "max_ns": p["max_ns"]}
		}
		return out
	}
	regionStats := map[string]*spanAcc{}
	ids := make([]trace.GoID, 0, len(summary.Goroutines))
	for id := range summary.Goroutines {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	type groupAcc struct {
		name                                                        string
		count                                                       int64
		exec, sched, block, syscall, syscallBlock, gc, unknown, tot int64
		execs, totals, latencies                                    []int64
	}
	groups := map[string]*groupAcc{}
	var allLatencies []int64
	goroutines := []any{}
	type leak struct {
		ID          trace.GoID `json:"id"`
		Name        string     `json:"name"`
		Reason      string     `json:"reason"`
		BlockedNs   int64      `json:"blocked_ns"`
		CreateStack []frame    `json:"create_stack"`
		BlockStack  []frame    `json:"block_stack"`
		Proven      *bool      `json:"proven"`
	}
	leaks := []leak{}
	for _, id := range ids {
		s := summary.Goroutines[id]
		g := get(id)
		block := map[string]int64{}
		var blockSum int64
		for reason, d := range s.BlockTimeByReason {
			block[reason] += int64(d)
			blockSum += int64(d)
		}
		ranges := map[string]int64{}
		var gcSum int64
		for name, d := range s.RangeTime {
			ranges[name] += int64(d)
			if strings.HasPrefix(name, "GC") {
				gcSum += int64(d)
			}
		}
		regions := []any{}
		for _, r := range s.Regions {
			var rblock int64
			for _, d := range r.BlockTimeByReason {
				rblock += int64(d)
			}
			rranges := map[string]int64{}
			for name, d := range r.RangeTime {
				rranges[name] += int64(d)
			}
			rblockBy := map[string]int64{}
			for reason, d := range r.BlockTimeByReason {
				rblockBy[reason] += int64(d)
			}
			regions = append(regions, map[string]any{
				"name": r.Name, "task_id": uint64(r.TaskID), "start_ns": evTime(r.Start), "end_ns": evTime(r.End),
				"exec_ns": int64(r.ExecTime), "sched_wait_ns": int64(r.SchedWaitTime),
				"block_ns_by_reason": nonZero(rblockBy), "block_ns": rblock,
				"syscall_ns": int64(r.SyscallTime), "syscall_block_ns": int64(r.SyscallBlockTime),
				"range_ns": nonZero(rranges), "unknown_ns": int64(r.UnknownTime()), "total_ns": int64(r.TotalTime),
			})
			addSpan(regionStats, r.Name, r.Start, r.End)
		}
		finalState := "undetermined"
		if g.finalState != trace.GoUndetermined {
			finalState = stateName(g.finalState)
		}
		goroutines = append(goroutines, map[string]any{
			"id": id, "name": s.Name,
			"creation_ns": int64(s.CreationTime - first), "start_ns": rel(s.StartTime), "end_ns": rel(s.EndTime),
			"exec_ns": int64(s.ExecTime), "sched_wait_ns": int64(s.SchedWaitTime),
			"syscall_ns": int64(s.SyscallTime), "syscall_block_ns": int64(s.SyscallBlockTime),
			"block_ns_by_reason": nonZero(block), "block_ns": blockSum,
			"range_ns": nonZero(ranges), "gc_ns": gcSum,
			"unknown_ns": int64(s.UnknownTime()), "total_ns": int64(s.TotalTime),
			"final_state": finalState, "final_reason": g.finalReason,
			"regions": regions,
		})
		acc := groups[s.Name]
		if acc == nil {
			acc = &groupAcc{name: s.Name}
			groups[s.Name] = acc
		}
		acc.count++
		acc.exec += int64(s.ExecTime)
		acc.sched += int64(s.SchedWaitTime)
		acc.block += blockSum
		acc.syscall += int64(s.SyscallTime)
		acc.syscallBlock += int64(s.SyscallBlockTime)
		acc.gc += gcSum
		acc.unknown += int64(s.UnknownTime())
		acc.tot += int64(s.TotalTime)
		acc.execs = append(acc.execs, int64(s.ExecTime))
		acc.totals = append(acc.totals, int64(s.TotalTime))
		acc.latencies = append(acc.latencies, g.latencies...)
		allLatencies = append(allLatencies, g.latencies...)

		if g.finalState == trace.GoWaiting && leakReasons[g.finalReason] && !leakIgnore.MatchString(s.Name) {
			leaks = append(leaks, leak{id, s.Name, g.finalReason, int64(last - g.finalTime), g.createStack, g.blockStack, nil})
		}
	}

	minMedMax := func(v []int64) (int64, int64, int64) {
		s := slices.Clone(v)
		slices.Sort(s)
		return s[0], s[(len(s)-1)/2], s[len(s)-1]
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	groupList := []any{}
	for _, n := range names {
		a := groups[n]
		emin, emed, emax := minMedMax(a.execs)
		tmin, tmed, tmax := minMedMax(a.totals)
		groupList = append(groupList, map[string]any{
			"name": a.name, "count": a.count,
			"exec_ns": a.exec, "sched_wait_ns": a.sched, "block_ns": a.block, "syscall_ns": a.syscall,
			"syscall_block_ns": a.syscallBlock, "gc_ns": a.gc, "unknown_ns": a.unknown, "total_ns": a.tot,
			"exec_min_ns": emin, "exec_median_ns": emed, "exec_max_ns": emax,
			"total_min_ns": tmin, "total_median_ns": tmed, "total_max_ns": tmax,
			"sched_latency": percentiles(a.latencies),
		})
	}

	// Leak groups: same reason, creation stack and block stack.
	type leakGroup struct {
		Name         string          `json:"name"`
		Reason       string          `json:"reason"`
		Count        int64           `json:"count"`
		MinBlockedNs int64           `json:"min_blocked_ns"`
		MaxBlockedNs int64           `json:"max_blocked_ns"`
		IDs          []trace.GoID    `json:"ids"`
		CreateStack  []frame         `json:"create_stack"`
		BlockStack   []frame         `json:"block_stack"`
		Proven       *int64          `json:"proven"`
		Undecided    *undecidedProof `json:"undecided"`
		key          string
	}
	byKey := map[string]*leakGroup{}
	for _, l := range leaks {
		kb, _ := json.Marshal([]any{l.Reason, l.CreateStack, l.BlockStack})
		key := string(kb)
		lg := byKey[key]
		if lg == nil {
			lg = &leakGroup{Name: l.Name, Reason: l.Reason, MinBlockedNs: l.BlockedNs, CreateStack: l.CreateStack, BlockStack: l.BlockStack, key: key}
			byKey[key] = lg
		}
		lg.Count++
		lg.IDs = append(lg.IDs, l.ID)
		lg.MinBlockedNs = min(lg.MinBlockedNs, l.BlockedNs)
		lg.MaxBlockedNs = max(lg.MaxBlockedNs, l.BlockedNs)
	}
	leakGroups := []*leakGroup{}
	for _, lg := range byKey {
		leakGroups = append(leakGroups, lg)
	}
	// Ranked by count × how long they have been stuck; ties by the first id.
	slices.SortFunc(leakGroups, func(a, b *leakGroup) int {
		if c := cmp.Compare(b.Count*b.MinBlockedNs, a.Count*a.MinBlockedNs); c != 0 {
			return c
		}
		return cmp.Compare(a.IDs[0], b.IDs[0])
	})

	leakProof := "none"
	if *leakProfile != "" {
		samples, err := readLeakProfile(*leakProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gtaref:", err)
			os.Exit(2)
		}
		leakProof = "profile"
		var stacks [][]frame
		for _, l := range leaks {
			stacks = append(stacks, l.BlockStack)
		}
		r := matchLeakProfile(samples, stacks)
		warnings = append(warnings, r.warnings...)
		proven := map[trace.GoID]bool{}
		for i := range leaks {
			leaks[i].Proven = r.candidate(leaks[i].BlockStack)
			proven[leaks[i].ID] = leaks[i].Proven != nil && *leaks[i].Proven
		}
		for _, lg := range leakGroups {
			var members int64
			for _, id := range lg.IDs {
				if proven[id] {
					members++
				}
			}
			lg.Proven, lg.Undecided = r.group(lg.BlockStack, lg.Count, members)
		}
	}

	// Tasks by id, with their logs; task stats by name.
	taskIDs := make([]trace.TaskID, 0, len(summary.Tasks))
	for id := range summary.Tasks {
		taskIDs = append(taskIDs, id)
	}
	slices.Sort(taskIDs)
	tasks := []any{}
	taskStats := map[string]*spanAcc{}
	for _, id := range taskIDs {
		t := summary.Tasks[id]
		var parent uint64
		if t.Parent != nil {
			parent = uint64(t.Parent.ID)
		}
		gids := make([]trace.GoID, 0, len(t.Goroutines))
		for gid := range t.Goroutines {
			gids = append(gids, gid)
		}
		slices.Sort(gids)
		logs := []any{}
		for _, ev := range t.Logs {
			l := ev.Log()
			logs = append(logs, map[string]any{"time_ns": int64(ev.Time() - first), "goroutine": ev.Goroutine(),
				"category": l.Category, "message": l.Message})
		}
		tasks = append(tasks, map[string]any{
			"id": uint64(t.ID), "name": t.Name, "parent_id": parent,
			"start_ns": evTime(t.Start), "end_ns": evTime(t.End), "duration_ns": interval(t.Start, t.End),
			"complete": t.Complete(), "goroutines": gids, "regions": len(t.Regions), "logs": logs,
		})
		addSpan(taskStats, t.Name, t.Start, t.End)
	}

	out := map[string]any{
		"schema": "gtanalyze/v1",
		"trace": map[string]any{
			"go_version": goVersion, "events": events, "duration_ns": int64(last - first),
			"goroutines": len(summary.Goroutines), "warnings": warnings, "leak_proof": leakProof,
		},
		"goroutines":      goroutines,
		"leak_candidates": leaks,
		"leak_groups":     leakGroups,
		"groups":          groupList,
		"sched_latency":   percentiles(allLatencies),
		"tasks":           tasks,
		"region_stats":    spanStats(regionStats),
		"task_stats":      spanStats(taskStats),
		"gc": map[string]any{
			"cycles": gcCycles, "stw_count": stwCount, "stw_ns": stwTotal, "stw_max_ns": stwMax,
			"stw_by_kind": stwByKind,
		},
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gtaref:", err)
		os.Exit(2)
	}
}
