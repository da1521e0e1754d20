// User annotations (runtime/trace tasks, regions and logs) as Go 1.26's internal/trace summary
// keeps them: tasks by id, created on their first mention, with their logs, goroutines and the
// number of their regions (TaskTracker), and each goroutine's regions (RegionTracker), which the
// GoroutineTracker feeds with the goroutine's stats at each region's start and end. Kept apart
// from the goroutine tracker's file: the compiler's inlining budget there is the hot loop's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/interning.hpp"
#include "analysis/latency_histogram.hpp"
#include "analysis/packed_stats.hpp"
#include "base/chunked_vector.hpp"
#include "base/pooled_maps.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

// Told about every region as the events are read, for consumers that draw or filter by region
// (a timeline, a profile per region). Synthetic regions (a goroutine created inside a region of
// its creator) open with an empty name at the creation.
class RegionListener {
 public:
  virtual ~RegionListener() = default;
  // A region began on goroutine g at `begin`. Not called for a region whose begin is missing.
  virtual void region_opened(GoId g, std::string_view name, TaskId task, Time begin) = 0;
  // A region ended: at its end event, at the goroutine's end (r.end is then that event's time)
  // or at the trace's end (r.end unset), innermost first. `kept` is false for a region Go drops
  // from the summary (the open regions of a system goroutine).
  virtual void region_closed(GoId g, const RegionSummary& r, bool kept) = 0;
};

class TaskTracker {
 public:
  // A TaskBegin, TaskEnd or Log event.
  void on_task(const Event& ev);
  void on_log(const Event& ev);
  // Logs still name their task and goroutine, but their text is not kept (TaskSummary::logs stays
  // empty): a report that never shows them need not hold a trace's millions (~170 bytes each).
  void drop_logs() { keep_logs_ = false; }
  // A region in `task` on goroutine g: its begin, or its end when its begin is missing.
  void on_region(TaskId task, GoId g);
  // The task so far, nullptr when it was never mentioned (its `goroutines` are filled by finish()).
  [[nodiscard]] const TaskSummary* find(TaskId id) const;
  // All tasks, ascending id; the tracker is empty after.
  std::vector<TaskSummary> finish();

 private:
  struct Record {
    TaskSummary summary;
    std::set<GoId> goroutines;
    bool has_parent = false;  // Go's Parent != nil: set once, by the first event naming one
  };
  Record& get(TaskId id);
  std::map<TaskId, Record> tasks_;
  bool keep_logs_ = true;
};

// Where a goroutine's regions are in the RegionTracker's store: two lists, newest first (0: empty).
struct RegionLists {
  std::uint32_t open = 0;  // Go's activeRegions, innermost first
  std::uint32_t done = 0;  // Go's Regions, the latest ended first
};

// Each goroutine's user regions while the events are read: Go's activeRegions (a stack whose
// entries hold the goroutine's stats at their start) and Regions (ended, with their own stats).
// The goroutine's record holds its RegionLists; the regions live in one store, stats packed:
// a big trace has a region on nearly every goroutine.
class RegionTracker {
 public:
  RegionTracker(TaskTracker& tasks, base::PooledMaps& maps, Interning& names)
      : tasks_(tasks), stats_(maps, names), names_(names) {
    store_.emplace_back();
  }
  void set_listener(RegionListener* listener) { listener_ = listener; }

  // A region begins on g at t; `at_start` is g's stats then (Go's snapshotStat), its maps handed
  // over.
  void begin(GoId g, RegionLists& lists, const Region& r, Time t, PackedStats at_start);
  // A region ends on g at t, g's stats being `now` (its maps handed over): the innermost open
  // one, whatever the event names (Go pops the top of the stack), or, with none open, one made
  // up from the end.
  void end(GoId g, RegionLists& lists, const Region& r, Time t, PackedStats now);
  // g is created at t by a goroutine with regions `creator`. Inside a region, g inherits the
  // innermost one's task: Go gives it a synthetic, nameless region from its creation, with stats
  // from zero. Returns whether it did.
  bool inherit(const RegionLists& creator, GoId g, RegionLists& lists, Time t);
  // g ends (at `end`; unset: the trace ends) with the stats `final_stats` (not handed over): its
  // open regions end with it, dropped unless `kept` (Go drops a system goroutine's).
  void end_goroutine(GoId g, RegionLists& lists, const PackedStats& final_stats, std::optional<Time> end, bool kept);
  [[nodiscard]] bool any_open() const { return open_ != 0; }
  // A goroutine record is replaced or dropped: its regions go with it, as in Go.
  void forget(RegionLists& lists);
  // g's ended regions in Go's order (by start, those without one first), each made and given to
  // `fn` in turn. Empties the lists.
  void each(RegionLists& lists, const std::function<void(RegionSummary&)>& fn);

 private:
  struct Stored {
    PackedStats stats;  // the goroutine's at the region's start while open; the region's own after
    TaskId task = 0;
    Time start = 0, end = 0;
    std::uint32_t name = 0;  // an Interning name
    std::uint32_t next = 0;  // the next region in its list; 0 ends it
    bool has_start = false, has_end = false;
  };
  std::uint32_t allocate();
  void release(std::uint32_t i);
  void release_list(std::uint32_t first);
  void push_open(RegionLists& lists, std::uint32_t i);
  [[nodiscard]] RegionSummary summary(const Stored& r) const;

  TaskTracker& tasks_;
  PackedStatsPool stats_;
  Interning& names_;
  RegionListener* listener_ = nullptr;
  // Entry 0 ends the lists; released entries are chained by `next` from free_ and reused.
  base::ChunkedVector<Stored> store_;
  std::uint32_t free_ = 0;
  std::size_t open_ = 0;  // open regions of all goroutines
};

// Go's IsSystemGoroutine: the runtime's own goroutines (by start function), and nameless ones.
bool is_system_goroutine(const std::string& name);

// Region or task statistics by name (Summary::region_stats, task_stats): counts and complete
// durations, the nameless skipped.
class SpanStatsByName {
 public:
  template <class Span>
  void add(const Span& span, Time first, Time last) {
    if (span.name.empty()) return;
    Entry& e = by_name_[span.name];
    e.count++;
    if (span.complete()) e.durations.add(span.duration(first, last));
  }
  [[nodiscard]] std::map<std::string, SpanStats> finish() const;

 private:
  struct Entry {
    std::uint64_t count = 0;
    LatencyHistogram durations;
  };
  std::map<std::string, Entry> by_name_;
};

}  // namespace gtanalyze::analysis
