// User annotations (runtime/trace tasks, regions and logs) as Go 1.26's internal/trace summary
// keeps them: tasks by id, created on their first mention, with their logs, goroutines and the
// number of their regions (TaskTracker), and each goroutine's regions (RegionTracker), which the
// GoroutineTracker feeds with the goroutine's stats at each region's start and end. Kept apart
// from the goroutine tracker's file: the compiler's inlining budget there is the hot loop's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
};

// Each goroutine's user regions while the events are read: Go's activeRegions (a stack whose
// entries hold the goroutine's stats at their start) and Regions (ended, with their own stats).
class RegionTracker {
 public:
  explicit RegionTracker(TaskTracker& tasks) : tasks_(tasks) {}
  void set_listener(RegionListener* listener) { listener_ = listener; }

  // A region begins on g at t; `at_start` is g's stats then (Go's snapshotStat).
  void begin(GoId g, const Region& r, Time t, ExecStats at_start);
  // A region ends on g at t, g's stats being `now`: the innermost open one, whatever the event
  // names (Go pops the top of the stack), or, with none open, one made up from the end.
  void end(GoId g, const Region& r, Time t, const ExecStats& now);
  // g is created by `creator` at t. Inside a region, g inherits the innermost one's task: Go
  // gives it a synthetic, nameless region from its creation, with stats from zero. Returns
  // whether it did.
  bool inherit(GoId creator, GoId g, Time t);
  // g ends (at `end`; unset: the trace ends) with the stats `final_stats`: its open regions end
  // with it, bottom of the stack first, dropped unless `kept` (Go drops a system goroutine's).
  void end_goroutine(GoId g, const ExecStats& final_stats, std::optional<Time> end, bool kept);
  [[nodiscard]] bool any_open() const { return open_ != 0; }
  [[nodiscard]] bool has_open(GoId g) const;
  // A new goroutine takes g's id: the old one's regions go with its record, as in Go.
  void forget(GoId g);
  // g's ended regions in Go's order: by start, those without one first. Forgets g.
  std::vector<RegionSummary> take(GoId g);

 private:
  struct Regions {
    std::vector<RegionSummary> open, done;
  };
  void open(GoId g, RegionSummary region);
  void close(GoId g, Regions& regions, RegionSummary region, bool kept);

  TaskTracker& tasks_;
  RegionListener* listener_ = nullptr;
  std::unordered_map<GoId, Regions> by_goroutine_;
  std::size_t open_ = 0;  // open regions of all goroutines
};

// Go's IsSystemGoroutine: the runtime's own goroutines (by start function), and nameless ones.
bool is_system_goroutine(const std::string& name);

// Region and task statistics by name (Summary::region_stats, task_stats).
std::map<std::string, SpanStats> region_stats(const std::vector<GoroutineSummary>& goroutines, Time first, Time last);
std::map<std::string, SpanStats> task_stats(const std::vector<TaskSummary>& tasks, Time first, Time last);

}  // namespace gtanalyze::analysis
