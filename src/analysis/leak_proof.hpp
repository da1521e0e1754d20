// Leak proofs joined with the trace's leak candidates: which candidates the GC proved leaked.
// Both set Summary::leak_proof, each candidate's `proven` and each group's `proven` (see
// summary.hpp), and add a warning for what the proof lists that no candidate is.
#pragma once

#include <vector>

#include "gtanalyze/leak_proof.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

// A goroutineleak profile of the same run. Its samples are matched to candidates by block stack:
// the profile's stack is the trace's with the runtime frames the tracer leaves out (runtime.gopark
// and the like) on top, so the trace's stack must equal the profile's once those are skipped
// (functions and lines). Where a sample's count covers every candidate with that stack, they are
// proven; where it covers fewer, each stays undecided and their groups say k of n. When no sample
// matches any candidate, the profile is of another run: it proves nothing (and says so).
void prove_leaks(Summary& summary, const LeakProfile& profile);

// The goroutines a capture of the same run saw move to the leaked status. None: no
// leak-detecting GC ran while it recorded, so it proves nothing (and says so). A capture that
// cannot be of the trace's run (another Go version; for Go 1.22+ traces, another time: see
// same_run.hpp) proves nothing either, and says why: goroutine ids repeat from run to run.
void prove_leaks(Summary& summary, const CaptureLeaks& capture);

// Narrows the leak candidates of a summary already made (one loaded from a JSON export) to those
// `options` keep, and regroups them, keeping what its proof decided. Options the export was made
// with change nothing; others can narrow it, never widen it.
void apply_leak_options(Summary& summary, const LeakOptions& options);

}  // namespace gtanalyze::analysis
