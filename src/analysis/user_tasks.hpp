// User annotations (runtime/trace tasks, regions and logs) as Go 1.26's internal/trace summary
// keeps them: tasks by id, created on their first mention, with their logs, goroutines and the
// number of their regions. The regions themselves belong to goroutines: the GoroutineTracker
// keeps each goroutine's stack of open regions (their stats need its state) and tells the
// TaskTracker, and any RegionListener, about them.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
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
  // or at the trace's end (r.end unset). `kept` is false for a region Go drops from the summary
  // (the open regions of a system goroutine).
  virtual void region_closed(GoId g, const RegionSummary& r, bool kept) = 0;
};

class TaskTracker {
 public:
  // A TaskBegin, TaskEnd or Log event.
  void on_task(const Event& ev);
  void on_log(const Event& ev);
  // A region in `task` on goroutine g: its begin, or its end when its begin is missing.
  void on_region(TaskId task, GoId g);
  // The task, nullptr when it was never mentioned.
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

// Region and task statistics by name (Summary::region_stats, task_stats).
std::map<std::string, SpanStats> region_stats(const std::vector<GoroutineSummary>& goroutines, Time first, Time last);
std::map<std::string, SpanStats> task_stats(const std::vector<TaskSummary>& tasks, Time first, Time last);

}  // namespace gtanalyze::analysis
