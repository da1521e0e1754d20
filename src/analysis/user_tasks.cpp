// Tasks, logs and regions as Go 1.26's Summarizer keeps them (summary.go: EventRegionBegin/End,
// EventTaskBegin/End, EventLog, and finalize for the regions still open), and the statistics by
// name over regions and tasks.
#include "analysis/user_tasks.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "analysis/latency_histogram.hpp"

namespace gtanalyze::analysis {

TaskTracker::Record& TaskTracker::get(TaskId id) {
  auto [it, inserted] = tasks_.try_emplace(id);
  if (inserted) it->second.summary.id = id;
  return it->second;
}

void TaskTracker::on_task(const Event& ev) {
  const Task t = ev.task();
  Record& task = get(t.id);
  task.summary.name = t.type;
  task.goroutines.insert(ev.g);
  (ev.kind() == EventKind::TaskBegin ? task.summary.start : task.summary.end) = ev.time;
  if (t.parent != kNoTask && !task.has_parent) {
    task.has_parent = true;
    task.summary.parent = t.parent;
    get(t.parent);
  }
}

void TaskTracker::on_log(const Event& ev) {
  const Log log = ev.log();
  Record& task = get(log.task);
  task.goroutines.insert(ev.g);
  task.summary.logs.push_back(LogEntry{ev.time, ev.g, std::string(log.category), std::string(log.message)});
}

void TaskTracker::on_region(TaskId id, GoId g) {
  Record& task = get(id);
  task.summary.regions++;
  task.goroutines.insert(g);
}

const TaskSummary* TaskTracker::find(TaskId id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second.summary;
}

std::vector<TaskSummary> TaskTracker::finish() {
  std::vector<TaskSummary> out;
  out.reserve(tasks_.size());
  for (auto& [id, task] : tasks_) {
    task.summary.goroutines.assign(task.goroutines.begin(), task.goroutines.end());
    out.push_back(std::move(task.summary));
  }
  tasks_.clear();
  return out;
}

namespace {

// Go's GoroutineExecStats.sub: end minus start, over the keys of end (keys are never removed).
ExecStats minus(const ExecStats& end, const ExecStats& start) {
  ExecStats r = end;
  r.exec -= start.exec;
  r.sched_wait -= start.sched_wait;
  r.syscall -= start.syscall;
  r.syscall_block -= start.syscall_block;
  r.total -= start.total;
  for (auto& [reason, d] : r.block_by_reason)
    if (auto it = start.block_by_reason.find(reason); it != start.block_by_reason.end()) d -= it->second;
  for (auto& [name, d] : r.range_time)
    if (auto it = start.range_time.find(name); it != start.range_time.end()) d -= it->second;
  return r;
}

}  // namespace

void RegionTracker::begin(GoId g, const Region& r, Time t, ExecStats at_start) {
  RegionSummary region;
  static_cast<ExecStats&>(region) = std::move(at_start);
  region.name = r.type;
  region.task = r.task;
  region.start = t;
  tasks_.on_region(r.task, g);
  open(g, std::move(region));
}

void RegionTracker::end(GoId g, const Region& r, Time t, const ExecStats& now) {
  Regions& rs = by_goroutine_[g];
  RegionSummary region;
  if (!rs.open.empty()) {
    region = std::move(rs.open.back());
    rs.open.pop_back();
    open_--;
  } else {
    region.name = r.type;
    region.task = r.task;
    tasks_.on_region(r.task, g);
  }
  static_cast<ExecStats&>(region) = minus(now, region);
  region.end = t;
  close(g, rs, std::move(region), true);
}

bool RegionTracker::inherit(GoId creator, GoId g, Time t) {
  auto it = by_goroutine_.find(creator);
  if (it == by_goroutine_.end() || it->second.open.empty()) return false;
  RegionSummary region;
  region.task = it->second.open.back().task;
  region.start = t;
  open(g, std::move(region));
  return true;
}

void RegionTracker::end_goroutine(GoId g, const ExecStats& final_stats, std::optional<Time> end, bool kept) {
  Regions& rs = by_goroutine_[g];
  std::vector<RegionSummary> open = std::move(rs.open);
  rs.open.clear();
  open_ -= open.size();
  for (RegionSummary& region : open) {
    static_cast<ExecStats&>(region) = minus(final_stats, region);
    region.end = end;
  }
  // The listener hears the innermost first, as a timeline nests them; Go keeps them in the
  // summary bottom first (before sorting by start).
  if (listener_)
    for (auto it = open.rbegin(); it != open.rend(); ++it) listener_->region_closed(g, *it, kept);
  if (kept) std::move(open.begin(), open.end(), std::back_inserter(rs.done));
}

bool RegionTracker::has_open(GoId g) const {
  auto it = by_goroutine_.find(g);
  return it != by_goroutine_.end() && !it->second.open.empty();
}

void RegionTracker::forget(GoId g) {
  auto it = by_goroutine_.find(g);
  if (it == by_goroutine_.end()) return;
  open_ -= it->second.open.size();
  by_goroutine_.erase(it);
}

std::vector<RegionSummary> RegionTracker::take(GoId g) {
  auto it = by_goroutine_.find(g);
  if (it == by_goroutine_.end()) return {};
  std::vector<RegionSummary> out = std::move(it->second.done);
  by_goroutine_.erase(it);
  // Go's slices.SortFunc by start: stable for the few regions a goroutine has (insertion sort).
  std::stable_sort(out.begin(), out.end(),
                   [](const RegionSummary& a, const RegionSummary& b) { return a.start < b.start; });
  return out;
}

void RegionTracker::open(GoId g, RegionSummary region) {
  if (listener_) listener_->region_opened(g, region.name, region.task, *region.start);
  by_goroutine_[g].open.push_back(std::move(region));
  open_++;
}

void RegionTracker::close(GoId g, Regions& rs, RegionSummary region, bool kept) {
  if (listener_) listener_->region_closed(g, region, kept);
  if (kept) rs.done.push_back(std::move(region));
}

bool is_system_goroutine(const std::string& name) {
  return name.empty() || (name != "runtime.main" && name.rfind("runtime.", 0) == 0);
}

namespace {

// Counts and complete durations by name, skipping the nameless.
class SpanStatsBuilder {
 public:
  template <class S>
  void add(const S& span, Time first, Time last) {
    if (span.name.empty()) return;
    Entry& e = by_name_[span.name];
    e.count++;
    if (span.complete()) e.durations.add(span.duration(first, last));
  }
  std::map<std::string, SpanStats> finish() const {
    std::map<std::string, SpanStats> out;
    for (const auto& [name, e] : by_name_) {
      const LatencyStats d = e.durations.stats();
      out[name] = SpanStats{e.count, d.count, d.p50, d.p90, d.p99, d.max};
    }
    return out;
  }

 private:
  struct Entry {
    std::uint64_t count = 0;
    LatencyHistogram durations;
  };
  std::map<std::string, Entry> by_name_;
};

}  // namespace

std::map<std::string, SpanStats> region_stats(const std::vector<GoroutineSummary>& goroutines, Time first, Time last) {
  SpanStatsBuilder b;
  for (const GoroutineSummary& g : goroutines)
    for (const RegionSummary& r : g.regions) b.add(r, first, last);
  return b.finish();
}

std::map<std::string, SpanStats> task_stats(const std::vector<TaskSummary>& tasks, Time first, Time last) {
  SpanStatsBuilder b;
  for (const TaskSummary& t : tasks) b.add(t, first, last);
  return b.finish();
}

}  // namespace gtanalyze::analysis
