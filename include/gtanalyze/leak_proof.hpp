// The proofs of leaks that come from outside the trace (--leak-proof), as read from their files,
// before they are matched with the trace's leak candidates (analysis/leak_proof.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "gtanalyze/ids.hpp"
#include "gtanalyze/summary.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze {

// One sample of Go 1.26's goroutineleak profile: the stack of goroutines the GC proved leaked
// (blocked on objects nothing reachable can wake), innermost frame first with inlined frames
// expanded, and how many goroutines it has. The profile has no goroutine ids.
struct LeakProfileSample {
  StackInfo stack;
  std::uint64_t count = 0;
};

struct LeakProfile {
  std::vector<LeakProfileSample> samples;
};

// What a capture of `gtanalyze collect` brings as a proof: the goroutines it saw Go 1.26's
// leak-detecting GC mark leaked (ascending), and what tells whether it is of the trace's run.
struct CaptureLeaks {
  std::vector<GoId> leaked;
  std::uint32_t go_minor = 0;         // the program's Go version, 1.N
  Version version = Version::Go1_26;  // the trace format that version writes
  Time first = 0, last = 0;           // the span of its records (CLOCK_MONOTONIC ns)
};

}  // namespace gtanalyze
