// The goroutine analysis: fed the ordered events once (on_event), it keeps each goroutine's
// open state privately and finish() returns the plain Summary. The per-goroutine times follow
// Go 1.26's internal/trace Summarizer (summary.go) to the nanosecond, quirks included.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class RegionListener;
class TaskTracker;

// A goroutine's regions in Go's order (by start), made one at a time: a goroutine may have
// millions (a worker with a region per item), which a sink writes out or tallies without holding.
class RegionSource {
 public:
  virtual ~RegionSource() = default;
  // Calls `fn` with each region in turn (valid during the call). Once: a second call gives none.
  virtual void each(const std::function<void(const RegionSummary&)>& fn) = 0;
};

// The regions of a goroutine that has them in its summary, as a source.
class RegionsOf : public RegionSource {
 public:
  explicit RegionsOf(const std::vector<RegionSummary>& regions) : regions_(regions) {}
  void each(const std::function<void(const RegionSummary&)>& fn) override {
    for (const RegionSummary& r : regions_) fn(r);
  }

 private:
  const std::vector<RegionSummary>& regions_;
};

// Takes the goroutines one at a time, by ascending id, instead of the Summary keeping them: on a
// big trace they are most of its memory (a renderer that streams its output has no need of them
// all at once).
class GoroutineSink {
 public:
  virtual ~GoroutineSink() = default;
  // Before the first goroutine, `head` is the summary so far: the trace's facts (version,
  // events, first, last, gomaxprocs, warnings), its GC and its stacks; nothing else yet. The
  // same object becomes the finished summary.
  virtual void begin(const Summary& head) = 0;
  // g's `regions` is empty: they come from `regions`, which a sink may leave unread.
  virtual void goroutine(const Summary& head, const GoroutineSummary& g, RegionSource& regions) = 0;
};

class Summarizer {
 public:
  explicit Summarizer(LeakOptions leak_options = {});
  ~Summarizer();
  Summarizer(const Summarizer&) = delete;
  Summarizer& operator=(const Summarizer&) = delete;

  void on_event(const Event& event) { on_events({&event, 1}); }
  // The next events in order. A batch per call spares every event the call's overhead.
  void on_events(std::span<const Event> events);
  // Told about each user region as it opens and closes (see user_tasks.hpp); set before the
  // first event. nullptr: none.
  void set_region_listener(RegionListener* listener);
  // The summary's tasks keep no logs (their text): for a report that never shows them.
  void drop_logs();
  // The tasks seen so far (for a listener: a region's task, its name and parent), until finish().
  [[nodiscard]] const TaskTracker& tasks() const;
  // Closes what is still open at the last event and computes groups, latencies and leaks. With
  // a sink, the goroutines go to it and the summary has none.
  Summary finish(Version version, std::vector<std::string> warnings, GoroutineSink* sink = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gtanalyze::analysis
