package main

// The reference for `gtanalyze --leak-proof PROFILE`: the goroutineleak profile read by Go's own
// profile package (cmd/vendor/github.com/google/pprof/profile), its samples matched to the leak
// candidates' block stacks by the rule docs/json-schema.md states: the profile's stack, less the
// runtime frames on top that the tracer leaves out, equals the candidate's block stack (functions
// and lines, innermost first); a sample's count covering all candidates at a stack proves them,
// fewer leaves them undecided (k of n), none disproves them.

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/pprof/profile"
)

type leakSample struct {
	stack []frame // innermost first, inlined frames expanded
	count int64
}

func readLeakProfile(path string) ([]leakSample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, err
	}
	if len(p.SampleType) == 0 || p.SampleType[0].Type != "goroutineleak" {
		return nil, fmt.Errorf("%s: not a goroutineleak profile", path)
	}
	var out []leakSample
	for _, s := range p.Sample {
		var stack []frame
		for _, loc := range s.Location {
			for _, l := range loc.Line {
				stack = append(stack, frame{l.Function.Name, l.Function.Filename, uint64(l.Line)})
			}
		}
		out = append(out, leakSample{stack, s.Value[0]})
	}
	return out, nil
}

func isRuntimeFrame(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/") ||
		strings.HasPrefix(fn, "sync.runtime_")
}

func frameKey(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		fmt.Fprintf(&b, "%s:%d\n", f.Function, f.Line)
	}
	return b.String()
}

// leakProofResult: per block stack key, the profile's count and the candidates'; the warnings.
type leakProofResult struct {
	proven     map[string]int64 // profile count at each candidate block stack
	candidates map[string]int64
	none       bool // the profile is of another run: nothing proven
	warnings   []string
}

func matchLeakProfile(samples []leakSample, blockStacks [][]frame) leakProofResult {
	r := leakProofResult{proven: map[string]int64{}, candidates: map[string]int64{}}
	for _, st := range blockStacks {
		if len(st) > 0 {
			r.candidates[frameKey(st)]++
		}
	}
	var listed, unmatched int64
	for _, s := range samples {
		listed += s.count
		matched := false
		for skip := 0; skip < len(s.stack); skip++ {
			if k := frameKey(s.stack[skip:]); r.candidates[k] > 0 {
				r.proven[k] += s.count
				matched = true
				break
			}
			if !isRuntimeFrame(s.stack[skip].Function) {
				break
			}
		}
		if !matched {
			unmatched += s.count
		}
	}
	if listed > 0 && unmatched == listed && len(blockStacks) > 0 {
		r.none = true
		r.warnings = append(r.warnings, fmt.Sprintf("the leak profile lists %d leaked goroutine(s), none at the block stack of a leak candidate: it is not of this run (nothing is proven)", listed))
		return r
	}
	for k, n := range r.candidates {
		if r.proven[k] > n {
			unmatched += r.proven[k] - n
		}
	}
	if unmatched > 0 {
		r.warnings = append(r.warnings, fmt.Sprintf("the leak profile lists %d leaked goroutine(s) that are no leak candidate of the trace (their block stack is no candidate's, or more goroutines have it than candidates)", unmatched))
	}
	return r
}

// candidate: nil (undecided, or no stack), else whether the profile proves it.
func (r leakProofResult) candidate(stack []frame) *bool {
	if r.none || len(stack) == 0 {
		return nil
	}
	k := frameKey(stack)
	p, n := r.proven[k], r.candidates[k]
	if p > 0 && p < n {
		return nil
	}
	v := p > 0
	return &v
}

type undecidedProof struct {
	Proven int64 `json:"proven"`
	Of     int64 `json:"of"`
}

// group: how many of the group are proven (nil when unknown) and its undecided share.
func (r leakProofResult) group(stack []frame, count int64, provenMembers int64) (*int64, *undecidedProof) {
	if r.none {
		return nil, nil
	}
	k := frameKey(stack)
	p, n := r.proven[k], r.candidates[k]
	if len(stack) > 0 && p > 0 && p < n {
		u := &undecidedProof{p, n}
		if n == count {
			return &p, u
		}
		return nil, u
	}
	return &provenMembers, nil
}
