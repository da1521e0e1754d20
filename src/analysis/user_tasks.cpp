// Tasks and logs as Go 1.26's Summarizer.Event keeps them (summary.go, EventTaskBegin/End and
// EventLog), and the statistics by name over regions and tasks.
#include "analysis/user_tasks.hpp"

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
