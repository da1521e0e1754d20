// Scheduling latencies (from runnable to running), kept until the end of the trace tells each
// goroutine's group, its name. Those of a named goroutine are counted by name as they happen, so
// memory does not grow with the trace; those of a goroutine with no name yet are kept in a list
// of its goroutine id, compactly, as its name may come later (or a later goroutine's, when the id
// is taken again).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "analysis/latency_histogram.hpp"
#include "base/packed_ints.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class SchedLatencies {
 public:
  using List = std::uint32_t;  // a goroutine's own list: 0 for none yet, else 1 + its index

  // A latency of a goroutine named `name` (0: no name yet, then it goes to `list`).
  // The usual case inline, the rest out of line (callgrind, go1.26-100M --json: +2.1%
  // instructions with all of add() out of line).
  void add(std::uint32_t name, List& list, Duration latency) {
    if (name != 0 && name < by_name_.size()) {
      by_name_[name].add(latency);
    } else {
      add_first(name, list, latency);
    }
  }
  // The latencies counted under the name `name`, taken out (none are left under it): the
  // summary moves them into its groups rather than holding a copy beside them.
  [[nodiscard]] LatencyHistogram take_named(std::uint32_t name) {
    return name < by_name_.size() ? std::exchange(by_name_[name], {}) : LatencyHistogram{};
  }
  // The latencies still counted under names, taken out: those of goroutines whose id a later
  // goroutine of another name took, whose name no group takes. The overall count takes them.
  [[nodiscard]] LatencyHistogram take_rest();
  // The latencies kept in `list`.
  [[nodiscard]] const base::PackedInts* unnamed(List list) const { return list != 0 ? &lists_[list - 1] : nullptr; }

 private:
  // add() of the first latency of a name, or of a goroutine with no name.
  void add_first(std::uint32_t name, List& list, Duration latency);

  std::vector<LatencyHistogram> by_name_;
  std::vector<base::PackedInts> lists_;
};

}  // namespace gtanalyze::analysis
