// The goroutine state machine: fed the ordered events once, it follows each goroutine through its
// states and charges the time between transitions as Go 1.26's internal/trace summary.go does,
// quirks included. Beside Go's figures it keeps what the summary's groups and leak candidates
// need (final state, creation and block stacks, scheduling latencies) and the time goroutines
// spend in ranges; it hands the GC's ranges to a GcTracker. It keeps each goroutine's user regions
// with their stats (Go's activeRegions and Regions) and hands tasks and logs to a TaskTracker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "analysis/packed_stats.hpp"
#include "analysis/sched_latencies.hpp"
#include "analysis/user_tasks.hpp"
#include "base/pooled_maps.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

// One goroutine while the trace is read. The `last_*` fields are Go's private goroutineSummary:
// 0 means "not in that state" (Go's convention, which the arithmetic relies on). Kept compact
// (names, stacks and maps by small ids): a big trace holds hundreds of thousands.
struct Goroutine : PackedStats {
  GoId id = 0;
  Time creation = 0, start = 0, end = 0;
  Time last_start = 0, last_runnable = 0, last_block = 0, last_syscall = 0, last_syscall_block = 0;
  Time final_time = 0;
  // While last_syscall != 0: the P it entered the syscall on. Go's syscallingG[id], which only
  // ever has an entry then (set on entering, deleted on leaving), so it can live here.
  ProcId syscall_p = 0;
  std::uint32_t name = 0;  // an Interning name; 0 ("") until a transition stack names it
  std::uint32_t last_block_reason = 0, final_reason = 0;
  std::uint32_t create_stack = 0, block_stack = 0;
  // The start times of the open ranges, by range name.
  base::PooledMaps::Map last_range = 0;
  SchedLatencies::List latencies = 0;  // those of its id before it had a name (see appear())
  GoState final_state = GoState::Undetermined;
  bool created = false;
  bool runnable_seen = false;  // its last transition made it runnable (not just first seen so)
  RegionLists regions;         // its user regions, in the tracker's RegionTracker

  // Go's snapshotStat followed by finalize: charges the open states up to `last_ts` and clears
  // them. Running it twice is harmless, as in Go (the second pass finds nothing open).
  void finalize(Time last_ts, const Event* trigger, base::PooledMaps& times);
};

// What the trace says as a whole.
struct TraceFacts {
  std::uint64_t events = 0;
  Time first = 0, last = 0;  // the times of the first and last event
  std::uint64_t gomaxprocs = 0;
};

class GoroutineTracker {
 public:
  GoroutineTracker();
  ~GoroutineTracker();
  GoroutineTracker(const GoroutineTracker&) = delete;
  GoroutineTracker& operator=(const GoroutineTracker&) = delete;

  // The next events in order. A batch per call spares every event the call's overhead.
  void on_events(std::span<const Event> events);

  // The end of the trace: closes the GC's pause and cycle still open at the last event (gc() is
  // complete after it). drain() does it too.
  void end_gc();
  // The end of the trace: closes what is still open at the last event, then hands each
  // goroutine to `f`, by ascending id, freeing the records as it goes. No more events or drains
  // after it.
  void drain(const std::function<void(Goroutine&)>& f);
  [[nodiscard]] std::size_t goroutine_count() const;
  // The public summary of a goroutine record, names and maps spelled out; without its regions.
  [[nodiscard]] GoroutineSummary summary(const Goroutine& g) const;
  // The goroutine's regions (in drain()), in Go's order: by start, those without one first.
  std::vector<RegionSummary> take_regions(Goroutine& g);
  // The same one at a time, none held: each made, given to `fn` and dropped in turn.
  void each_region(Goroutine& g, const std::function<void(RegionSummary&)>& fn);
  // Every task, ascending id, once no more events come.
  std::vector<TaskSummary> take_tasks();
  // Told about each region as it opens and closes; nullptr (the default) for none. The listener
  // must outlive the reading of the events.
  void set_region_listener(RegionListener* listener);
  void drop_logs();  // TaskTracker::drop_logs
  // The tasks so far (a listener may look up a region's task), until take_tasks().
  [[nodiscard]] const TaskTracker& tasks() const;

  [[nodiscard]] const TraceFacts& facts() const;
  [[nodiscard]] const GcSummary& gc() const;  // complete after end_gc() or drain()
  [[nodiscard]] SchedLatencies& latencies();
  // The stacks that Goroutine and GoroutineSummary ids refer to, once no more events come.
  StackTable take_stacks();

 private:
  // The working state, in the .cpp file only: internal linkage lets the compiler inline each
  // per-event step into the one loop over the events.
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gtanalyze::analysis
