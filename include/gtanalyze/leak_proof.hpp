// The proofs of leaks that come from outside the trace (--leak-proof), as read from their files,
// before they are matched with the trace's leak candidates (analysis/leak_proof.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "gtanalyze/ids.hpp"
#include "gtanalyze/summary.hpp"

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

}  // namespace gtanalyze
