// Tasks, logs and regions as Go 1.26's Summarizer keeps them (summary.go: EventRegionBegin/End,
// EventTaskBegin/End, EventLog, and finalize for the regions still open), and the statistics by
// name over regions and tasks.
#include "analysis/user_tasks.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "analysis/latency_histogram.hpp"
#include "base/go_sort.hpp"

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
  if (keep_logs_)
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

void RegionTracker::begin(GoId g, RegionLists& lists, const Region& r, Time t, PackedStats at_start) {
  const std::uint32_t i = allocate();
  Stored& region = store_[i];
  region.stats = at_start;
  region.name = names_.name(r.type);
  region.task = r.task;
  region.start = t;
  region.has_start = true;
  tasks_.on_region(r.task, g);
  if (listener_) listener_->region_opened(g, r.type, r.task, t);
  push_open(lists, i);
}

void RegionTracker::end(GoId g, RegionLists& lists, const Region& r, Time t, PackedStats now) {
  std::uint32_t i = lists.open;
  if (i != 0) {
    lists.open = store_[i].next;
    open_--;
    stats_.subtract(now, store_[i].stats);
    stats_.release(store_[i].stats);
  } else {
    i = allocate();
    store_[i].name = names_.name(r.type);
    store_[i].task = r.task;
    tasks_.on_region(r.task, g);
  }
  Stored& region = store_[i];
  region.stats = now;
  region.end = t;
  region.has_end = true;
  if (listener_) listener_->region_closed(g, summary(region), true);
  region.next = lists.done;
  lists.done = i;
}

bool RegionTracker::inherit(const RegionLists& creator, GoId g, RegionLists& lists, Time t) {
  if (creator.open == 0) return false;
  const std::uint32_t i = allocate();
  Stored& region = store_[i];
  region.task = store_[creator.open].task;
  region.start = t;
  region.has_start = true;
  if (listener_) listener_->region_opened(g, "", region.task, t);
  push_open(lists, i);
  return true;
}

void RegionTracker::end_goroutine(GoId g, RegionLists& lists, const PackedStats& final_stats, std::optional<Time> end,
                                  bool kept) {
  if (lists.open == 0) return;
  std::uint32_t last = 0;
  for (std::uint32_t i = lists.open; i != 0; i = store_[i].next) {
    Stored& region = store_[i];
    PackedStats stats = stats_.copy(final_stats);
    stats_.subtract(stats, region.stats);
    stats_.release(region.stats);
    region.stats = stats;
    region.end = end.value_or(0);
    region.has_end = end.has_value();
    // The listener hears the innermost first, as a timeline nests them.
    if (listener_) listener_->region_closed(g, summary(region), kept);
    open_--;
    last = i;
  }
  if (kept) {
    // Go appends them bottom first; `done` is newest first, so the open list (innermost first)
    // goes in front of it as it is.
    store_[last].next = lists.done;
    lists.done = lists.open;
  } else {
    release_list(lists.open);
  }
  lists.open = 0;
}

void RegionTracker::forget(RegionLists& lists) {
  for (std::uint32_t i = lists.open; i != 0; i = store_[i].next) open_--;
  release_list(lists.open);
  release_list(lists.done);
  lists = RegionLists{};
}

void RegionTracker::each(RegionLists& lists, const std::function<void(RegionSummary&)>& fn) {
  // Sorted as places in the store, so that only one region is made at a time.
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = lists.done; i != 0; i = store_[i].next) order.push_back(i);
  std::reverse(order.begin(), order.end());  // in the order they ended
  // By start, those without one first (std::optional's order), ties as Go's sort leaves them.
  const auto start = [this](std::uint32_t i) {
    return store_[i].has_start ? std::optional<Time>(store_[i].start) : std::nullopt;
  };
  base::go_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return start(a) < start(b); });
  for (const std::uint32_t i : order) {
    RegionSummary r = summary(store_[i]);
    fn(r);
  }
  forget(lists);
}

std::uint32_t RegionTracker::allocate() {
  if (free_ == 0) {
    store_.emplace_back();
    return static_cast<std::uint32_t>(store_.size() - 1);
  }
  const std::uint32_t i = free_;
  free_ = store_[i].next;
  store_[i] = Stored{};
  return i;
}

void RegionTracker::release(std::uint32_t i) {
  stats_.release(store_[i].stats);
  store_[i].next = free_;
  free_ = i;
}

void RegionTracker::release_list(std::uint32_t first) {
  while (first != 0) {
    const std::uint32_t next = store_[first].next;
    release(first);
    first = next;
  }
}

void RegionTracker::push_open(RegionLists& lists, std::uint32_t i) {
  store_[i].next = lists.open;
  lists.open = i;
  open_++;
}

RegionSummary RegionTracker::summary(const Stored& r) const {
  RegionSummary out;
  static_cast<ExecStats&>(out) = stats_.expand(r.stats);
  out.name = names_.name_of(r.name);
  out.task = r.task;
  if (r.has_start) out.start = r.start;
  if (r.has_end) out.end = r.end;
  return out;
}

bool is_system_goroutine(const std::string& name) {
  return name.empty() || (name != "runtime.main" && name.rfind("runtime.", 0) == 0);
}

std::map<std::string, SpanStats> SpanStatsByName::finish() const {
  std::map<std::string, SpanStats> out;
  for (const auto& [name, e] : by_name_) {
    const LatencyStats d = e.durations.stats();
    out[name] = SpanStats{e.count, d.count, d.p50, d.p90, d.p99, d.max};
  }
  return out;
}

}  // namespace gtanalyze::analysis
