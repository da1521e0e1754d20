// The timeline of a Go trace for the Perfetto UI (docs/perfetto.md): a track per goroutine with a
// slice per state, tracks per P, GC and stop-the-world tracks, counters and the flows from a
// goroutine to those it made runnable. Drawn in two passes over the events, both streaming: the
// plan (first pass) learns each goroutine's name and which goroutines a generation will show
// already in a state; the timeline (second pass) then draws every slice from where it begins,
// so the packets' times never go back.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gtanalyze/event.hpp"
#include "report/perfetto_writer.hpp"

namespace gtanalyze::report {

struct TimelineOptions {
  std::optional<Duration> from, to;  // since the first event
  std::vector<GoId> goroutines;      // only these goroutines' tracks (and those of `group`)
  std::string group;                 // a regex (Go's syntax) on the start function
};

class TimelinePlan {
 public:
  TimelinePlan();
  ~TimelinePlan();
  TimelinePlan(TimelinePlan&&) noexcept;
  TimelinePlan& operator=(TimelinePlan&&) noexcept;

  // The first pass: every event, in order.
  void on_events(std::span<const Event> events);
  // After it: what `options` asks for that the trace does not have, a line each (goroutine ids it
  // never shows, a --group no goroutine's start function matches). Throws std::invalid_argument for
  // a bad options.group (the CLI checks it first).
  [[nodiscard]] std::vector<std::string> unmatched(const TimelineOptions& options) const;

 private:
  friend class Timeline;
  struct State;
  std::unique_ptr<State> state_;
};

class Timeline {
 public:
  // Throws std::invalid_argument for a bad options.group (the CLI checks it first).
  Timeline(TimelinePlan plan, const TimelineOptions& options, PerfettoWriter& out);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // The second pass: the same events again. False once the window has closed (--to): the rest
  // of the trace is not needed.
  bool on_events(std::span<const Event> events);
  // Ends what is still open, at the last event (or the window's end).
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gtanalyze::report
