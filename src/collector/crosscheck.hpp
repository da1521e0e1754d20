// `crosscheck TRACE CAPTURE`: the same run seen by the runtime's tracer and by uprobes must tell
// the same story. Both sides are read as Events (the capture through CaptureReader), folded into
// per-goroutine stories, and compared item by item over the trace's time window.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gtanalyze/event.hpp"
#include "gtanalyze/reader.hpp"

namespace gtanalyze::collector {

// One goroutine as a sequence of the facts both sides can see.
struct GoStory {
  GoId id = 0;
  bool created = false;  // its creation is inside the window (else it existed at the start)
  GoId parent = kNoGoroutine;
  std::string start;               // start function (creation's start stack)
  std::vector<std::string> steps;  // "block(chan send)", "syscall", "exit", in order
  GoState final_state = GoState::Undetermined;
  std::string final_reason;
  bool operator==(const GoStory&) const = default;
};

// Folds events into stories. Only events with time in [lo, hi] add steps; creations are noted
// whenever they happen (a goroutine created before lo is not `created`).
class StoryBuilder {
 public:
  StoryBuilder(Time lo, Time hi) : lo_(lo), hi_(hi) {}
  // Narrows the window of one goroutine (the other side's first/last event of it).
  void set_bounds(GoId id, Time lo, Time hi) { bounds_[id] = {lo, hi}; }
  void on_event(const Event& e);
  const std::map<GoId, GoStory>& stories() const { return stories_; }

 private:
  GoStory& story(GoId id);
  Time lo_, hi_;
  std::map<GoId, std::pair<Time, Time>> bounds_;
  std::map<GoId, GoStory> stories_;
};

struct CrosscheckItem {
  std::string name;  // "goroutines", "start functions", …
  std::uint64_t compared = 0, agreed = 0;
  std::vector<std::string> differences;  // the first few, one line each
  bool ok() const { return compared == agreed; }
};

struct CrosscheckReport {
  std::vector<CrosscheckItem> items;
  std::vector<std::string> notes;           // window, clock mapping, drops, …
  std::vector<std::string> known_differences;  // documented, not counted
  bool agree() const;
};

// Reads both fully. `trace_events` / `capture_events` are taken as given (tests pass synthetic
// streams); capture events are mapped onto the trace clock through matching creations.
CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events, Version version);

// Drains a reader into a vector (errors propagate). Events stay valid while the reader lives:
// for multi-generation traces the caller must keep the tables alive — use the overload below.
Result<CrosscheckReport> crosscheck_readers(TraceReader& trace, TraceReader& capture);

std::string render_text(const CrosscheckReport& r);
std::string render_json(const CrosscheckReport& r);

}  // namespace gtanalyze::collector
