// A goroutine's or a region's stats as the tracker keeps them while the events are read: the
// durations, and the maps by reason or range name as handles into a shared pool keyed by
// interned names. A big trace holds hundreds of thousands of them; spelled out (ExecStats, string
// keys, a heap block per map) they took three times the memory.
#pragma once

#include "analysis/interning.hpp"
#include "base/pooled_maps.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

struct PackedStats {
  Duration exec = 0, sched_wait = 0, syscall = 0, syscall_block = 0, total = 0;
  base::PooledMaps::Map block_by_reason = 0, range_time = 0;  // keys: Interning names
};

// Maps handed from one PackedStats to another, copied, subtracted and freed in one pool. A
// PackedStats "owns" its maps when no other refers to them.
class PackedStatsPool {
 public:
  PackedStatsPool(base::PooledMaps& maps, const Interning& names) : maps_(maps), names_(names) {}

  // A copy of `s` with maps of its own.
  PackedStats copy(const PackedStats& s);
  // Go's GoroutineExecStats.sub, in place: `end` (owning its maps) becomes end minus start, over
  // the keys of end.
  void subtract(PackedStats& end, const PackedStats& start);
  // Frees the maps of `s` (which owns them) and zeroes it.
  void release(PackedStats& s);
  // The stats spelled out, names for keys.
  [[nodiscard]] ExecStats expand(const PackedStats& s) const;

 private:
  base::PooledMaps& maps_;
  const Interning& names_;
};

}  // namespace gtanalyze::analysis
