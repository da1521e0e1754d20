// The slow paths of SchedLatencies (see sched_latencies.hpp).
#include "analysis/sched_latencies.hpp"

namespace gtanalyze::analysis {

void SchedLatencies::add_first(std::uint32_t name, List& list, Duration latency) {
  if (name != 0) {
    by_name_.resize(name + 1);
    by_name_[name].add(latency);
    return;
  }
  if (list == 0) {
    lists_.emplace_back();
    list = static_cast<List>(lists_.size());
  }
  lists_[list - 1].push_back(latency);
}

LatencyHistogram SchedLatencies::take_rest() {
  LatencyHistogram rest;
  for (LatencyHistogram& named : by_name_) rest.absorb(std::exchange(named, {}));
  return rest;
}

}  // namespace gtanalyze::analysis
