#include "analysis/packed_stats.hpp"

namespace gtanalyze::analysis {

PackedStats PackedStatsPool::copy(const PackedStats& s) {
  PackedStats out = s;
  out.block_by_reason = maps_.copy(s.block_by_reason);
  out.range_time = maps_.copy(s.range_time);
  return out;
}

void PackedStatsPool::subtract(PackedStats& end, const PackedStats& start) {
  end.exec -= start.exec;
  end.sched_wait -= start.sched_wait;
  end.syscall -= start.syscall;
  end.syscall_block -= start.syscall_block;
  end.total -= start.total;
  auto subtract_map = [&](base::PooledMaps::Map& from, base::PooledMaps::Map minus) {
    maps_.for_each(minus, [&](std::uint32_t key, std::int64_t v) {
      if (std::int64_t* d = maps_.find(from, key)) *d -= v;
    });
  };
  subtract_map(end.block_by_reason, start.block_by_reason);
  subtract_map(end.range_time, start.range_time);
}

void PackedStatsPool::release(PackedStats& s) {
  maps_.clear(s.block_by_reason);
  maps_.clear(s.range_time);
  s = PackedStats{};
}

ExecStats PackedStatsPool::expand(const PackedStats& s) const {
  ExecStats out;
  out.exec = s.exec;
  out.sched_wait = s.sched_wait;
  out.syscall = s.syscall;
  out.syscall_block = s.syscall_block;
  out.total = s.total;
  maps_.for_each(s.block_by_reason,
                 [&](std::uint32_t reason, Duration d) { out.block_by_reason[names_.name_of(reason)] += d; });
  maps_.for_each(s.range_time, [&](std::uint32_t range, Duration d) { out.range_time[names_.name_of(range)] += d; });
  return out;
}

}  // namespace gtanalyze::analysis
