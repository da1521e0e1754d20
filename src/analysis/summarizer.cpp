// The summary of a trace: the goroutine tracker follows the events, and at the end each
// goroutine's figures are summed by group (start function), with scheduling latency percentiles
// per group, and the goroutines that look leaked are picked out and grouped.
#include "analysis/summarizer.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "analysis/goroutine_tracker.hpp"
#include "analysis/latency_histogram.hpp"
#include "analysis/leaks.hpp"
#include "analysis/user_tasks.hpp"

namespace gtanalyze::analysis {
namespace {

// Goroutines summed by name: Go's per-function goroutine groups, with our latency percentiles.
class Groups {
 public:
  void add(const GoroutineSummary& gs, const Goroutine& g, const SchedLatencies& latencies) {
    Group& group = groups_[gs.name];
    GroupSummary& sum = group.summary;
    sum.name = gs.name;
    group.name_id = g.name;
    sum.count++;
    sum.exec += gs.exec;
    sum.sched_wait += gs.sched_wait;
    sum.block += gs.block();
    sum.syscall += gs.syscall;
    sum.syscall_block += gs.syscall_block;
    sum.gc += gs.gc();
    sum.unknown += gs.unknown();
    sum.total += gs.total;
    group.execs.push_back(gs.exec);
    group.totals.push_back(gs.total);
    if (const base::PackedInts* unnamed = latencies.unnamed(g.latencies))
      unnamed->for_each([&group](Duration d) { group.latencies.add(d); });
  }

  // The groups by name; `all` gets the latencies of all of them, and those of goroutines gone
  // from the summary with their name (their id taken again). The latencies move from
  // `latencies` into the groups and then into `all`, never copied: on a big trace they are tens
  // of megabytes at the moment memory peaks.
  std::vector<GroupSummary> finish(SchedLatencies& latencies, LatencyHistogram& all) {
    std::vector<GroupSummary> out;
    for (auto& [name, group] : groups_) {
      GroupSummary& sum = group.summary;
      min_median_max(group.execs, sum.exec_min, sum.exec_median, sum.exec_max);
      min_median_max(group.totals, sum.total_min, sum.total_median, sum.total_max);
      group.execs = {};
      group.totals = {};
      group.latencies.absorb(latencies.take_named(group.name_id));
      sum.sched_latency = group.latencies.stats();
      all.absorb(std::move(group.latencies));
      out.push_back(std::move(sum));
    }
    all.absorb(latencies.take_rest());
    return out;
  }

 private:
  struct Group {
    GroupSummary summary;
    std::vector<Duration> execs, totals;
    LatencyHistogram latencies;  // of its goroutines while they had no name yet
    std::uint32_t name_id = 0;
  };
  static void min_median_max(std::vector<Duration>& v, Duration& lo, Duration& med, Duration& hi) {
    std::sort(v.begin(), v.end());
    lo = v.front();
    med = v[(v.size() - 1) / 2];
    hi = v.back();
  }
  std::map<std::string, Group> groups_;
};

// A goroutine's regions read from the tracker as the sink asks for them, each told to `tally`.
class DrainedRegions : public RegionSource {
 public:
  DrainedRegions(GoroutineTracker& tracker, Goroutine& g, std::function<void(const RegionSummary&)> tally)
      : tracker_(tracker), g_(g), tally_(std::move(tally)) {}
  void each(const std::function<void(const RegionSummary&)>& fn) override {
    if (drained_) return;
    drained_ = true;
    tracker_.each_region(g_, [&](RegionSummary& r) {
      tally_(r);
      fn(r);
    });
  }

 private:
  GoroutineTracker& tracker_;
  Goroutine& g_;
  std::function<void(const RegionSummary&)> tally_;
  bool drained_ = false;
};

}  // namespace

struct Summarizer::State {
  LeakOptions leak_options;
  GoroutineTracker tracker;
};

Summarizer::Summarizer(LeakOptions leak_options) : state_(std::make_unique<State>()) {
  state_->leak_options = std::move(leak_options);
}
Summarizer::~Summarizer() = default;

void Summarizer::on_events(std::span<const Event> events) { state_->tracker.on_events(events); }
void Summarizer::set_region_listener(RegionListener* listener) { state_->tracker.set_region_listener(listener); }
const TaskTracker& Summarizer::tasks() const { return state_->tracker.tasks(); }
void Summarizer::drop_logs() { state_->tracker.drop_logs(); }

Summary Summarizer::finish(Version version, std::vector<std::string> warnings, GoroutineSink* sink) {
  GoroutineTracker& tracker = state_->tracker;
  const TraceFacts& facts = tracker.facts();
  Summary out;
  out.version = version;
  out.events = facts.events;
  out.first = facts.first;
  out.last = facts.last;
  out.warnings = std::move(warnings);
  out.gomaxprocs = facts.gomaxprocs;
  out.stacks = tracker.take_stacks();

  const LeakFilter leaks(state_->leak_options);
  Groups groups;
  SpanStatsByName regions;
  tracker.end_gc();
  out.gc = tracker.gc();
  if (sink) {
    sink->begin(out);
  } else {
    out.goroutines.reserve(tracker.goroutine_count());
  }
  // Each record is freed as its summary is made, so the two never take memory side by side.
  tracker.drain([&](Goroutine& g) {
    GoroutineSummary gs = tracker.summary(g);
    groups.add(gs, g, tracker.latencies());
    if (leaks.is_candidate(gs, out.last)) {
      out.leak_candidates.push_back(LeakCandidate{
          gs.id, gs.name, gs.final_reason, out.last - gs.final_time, gs.create_stack, gs.block_stack, {}});
    }
    if (sink) {
      // Counted as the sink reads them; those it leaves unread, after.
      DrainedRegions source(tracker, g, [&](const RegionSummary& r) { regions.add(r, out.first, out.last); });
      sink->goroutine(out, gs, source);
      source.each([](const RegionSummary&) {});
      out.goroutines_streamed++;
    } else {
      gs.regions = tracker.take_regions(g);
      for (const RegionSummary& r : gs.regions) regions.add(r, out.first, out.last);
      out.goroutines.push_back(std::move(gs));
    }
  });
  LatencyHistogram all_latencies;
  out.groups = groups.finish(tracker.latencies(), all_latencies);
  out.sched_latency = all_latencies.stats();
  out.leak_groups = group_leaks(out.leak_candidates);
  out.tasks = tracker.take_tasks();
  out.region_stats = regions.finish();
  SpanStatsByName tasks;
  for (const TaskSummary& t : out.tasks) tasks.add(t, out.first, out.last);
  out.task_stats = tasks.finish();
  return out;
}

}  // namespace gtanalyze::analysis
