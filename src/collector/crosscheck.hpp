// `crosscheck TRACE CAPTURE`: the same run seen by the runtime's tracer and by uprobes must tell
// the same story. Both sides are read as Events (the capture through CaptureReader), folded into
// per-goroutine stories, and compared item by item over the trace's time window.
//
// The two sides time the same change a few microseconds apart (a uprobe fires on entry to
// casgstatus, the tracer writes its event a little later, and a thread may be descheduled in
// between), so a change close to the window's edges may fall inside on one side and outside on
// the other. The comparison therefore aligns the stories: capture changes within the clock
// tolerance of an edge may be left out of the window or kept in it, whichever matches; every
// change well inside the window must match.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtanalyze/event.hpp"
#include "gtanalyze/reader.hpp"

namespace gtanalyze::analysis {
class Summarizer;
}

namespace gtanalyze::collector {

class CaptureReader;

// One change of a goroutine's state, as both sides can see it.
struct StoryEntry {
  Time time = 0;
  std::string step;                       // "block(chan send)", "syscall", "exit"; "" if not a step
  GoState state = GoState::Undetermined;  // after the change
  std::string reason;                     // the wait reason, when state is Waiting
};

// One goroutine's recorded life on one side.
struct GoStory {
  GoId id = 0;
  bool created = false;  // this side recorded its creation (the first entry)
  GoId parent = kNoGoroutine;
  std::string start;                // start function (the creation's start stack)
  std::vector<StoryEntry> entries;  // in the order recorded
};

// Folds the goroutine transitions of one side into stories. Stories own their strings, so the
// events need not outlive on_event().
class StoryBuilder {
 public:
  void on_event(const Event& e);
  const std::map<GoId, GoStory>& stories() const { return stories_; }
  std::map<GoId, GoStory> take() { return std::move(stories_); }

 private:
  std::map<GoId, GoStory> stories_;
};

// What the comparison needs of the trace, gathered in one pass as it is read.
struct TraceView {
  std::map<GoId, GoStory> stories;
  Time lo = 0, hi = 0;  // the first and last event: the window
  std::uint64_t events = 0;
  std::set<GoId> leak_candidates;  // by the summary's own analysis
};

class TraceViewBuilder {
 public:
  TraceViewBuilder();
  ~TraceViewBuilder();
  void on_event(const Event& e);
  TraceView finish(Version version);

 private:
  StoryBuilder stories_;
  std::unique_ptr<analysis::Summarizer> summarizer_;
  TraceView view_;
};

// The capture's clock as a function of the trace's, fitted on changes both sides record once
// per goroutine (creations and exits). Both clocks are CLOCK_MONOTONIC nanoseconds (Go 1.22+
// traces) or the CPU's tick counter scaled by a measured frequency (older traces), so the slope
// is 1 within 1e-3 and the offset is what the fit is for.
struct ClockFit {
  double slope = 1.0, offset = 0.0;
  std::size_t pairs = 0, outliers = 0;  // pairs used, and those rejected as outliers
  Time max_residual = 0;                // largest |capture - fit| over the pairs kept
  double fitted_slope = 1.0;            // the slope the pairs gave, before the sanity check
  bool slope_sane = true;               // |fitted_slope - 1| <= the limit (else slope = 1)
  // Go 1.22+ traces time with nanotime(), the capture with bpf_ktime_get_ns(): one clock.
  static constexpr double kMaxSlopeError = 1e-3;
  // Older traces count CPU ticks and scale them by a frequency the runtime measured over the
  // trace (5.6e-4 off seen on a 100 ms Go 1.21 trace): looser.
  static constexpr double kMaxTickSlopeError = 1e-2;
  Time to_capture(Time trace_time) const;
};
// pairs: (trace time, capture time) of the same change. Theil–Sen slope (median of slopes between
// pairs at least 1 ms apart), median offset, then outliers (residual over 100 µs and 10× the
// median residual) rejected and the offset taken again from the rest.
ClockFit fit_clocks(std::vector<std::pair<Time, Time>> pairs, double max_slope_error = ClockFit::kMaxSlopeError);

// How far from a window edge a change may be and still count on either side of it: at least
// 1 ms, and twice the largest residual of the clock fit.
Time edge_tolerance(const ClockFit& fit);

// One difference in full, for --json: the two sequences of steps and where they part.
struct StepsDifference {
  GoId goroutine = 0;
  std::size_t first = 0;  // index of the first step that differs
  std::vector<std::string> trace, capture;
};

struct CrosscheckItem {
  std::string name;  // "goroutines", "start functions", …
  std::uint64_t compared = 0, agreed = 0;
  std::vector<std::string> differences;  // the first few, one short line each
  std::vector<StepsDifference> details;  // the same differences in full, where they are sequences
  bool ok() const { return compared == agreed; }
};

enum class Verdict { Agree, Differ, Inconclusive };

struct CrosscheckReport {
  std::vector<CrosscheckItem> items;
  std::vector<std::string> notes;              // window, clock mapping, …
  std::vector<std::string> known_differences;  // documented, not counted
  // Why the capture's story has gaps (records dropped, no trailer): then differences are shown
  // but prove nothing, and the verdict is Inconclusive. Empty for a complete capture.
  std::string capture_gap;
  bool agree() const;
  Verdict verdict() const;
};

// Capture events are mapped onto the trace clock through the changes both sides record once per
// goroutine. `capture_gap`: why the capture is incomplete, if it is.
CrosscheckReport crosscheck(const TraceView& trace, const std::vector<Event>& capture_events, Version version, std::string capture_gap = {});
// The same on a trace given as events (the tests' synthetic streams).
CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events, Version version,
                            std::string capture_gap = {});

// Folds the trace as it is read, then compares the capture (whose events stay valid while its
// reader lives), whose lost records it checks.
Result<CrosscheckReport> crosscheck_readers(TraceReader& trace, CaptureReader& capture);

std::string render_text(const CrosscheckReport& r);
std::string render_json(const CrosscheckReport& r);

}  // namespace gtanalyze::collector
