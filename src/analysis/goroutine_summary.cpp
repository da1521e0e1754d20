// The derived figures of a goroutine's or a region's stats (Go's UnknownTime and friends).
#include "gtanalyze/summary.hpp"

namespace gtanalyze {

Duration ExecStats::block() const {
  Duration sum = 0;
  for (const auto& [reason, d] : block_by_reason) sum += d;
  return sum;
}

Duration ExecStats::gc() const {
  Duration sum = 0;
  for (const auto& [range, d] : range_time)
    if (range.rfind("GC", 0) == 0) sum += d;
  return sum;
}

Duration ExecStats::unknown() const {
  const Duration known = exec + sched_wait + syscall + syscall_block + block();
  return known < total ? total - known : 0;
}

}  // namespace gtanalyze
