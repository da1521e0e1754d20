// The trace-wide GC figures: cycles and stop-the-world pauses, counted from the ranges the
// runtime traces for them (by Go's range names).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

// A GC cycle (its concurrent mark phase) or a stop-the-world pause, once it has ended (or the
// trace has: then `complete` is false and `end` the last event).
struct GcSpan {
  bool stw = false;
  std::string_view kind;  // of a pause: "GC mark termination", …; "" for a cycle
  Time start = 0, end = 0;
  bool complete = true;
};

class GcTracker {
 public:
  // Told each cycle and pause as it ends; by default no one is.
  void set_sink(std::function<void(const GcSpan&)> sink) { sink_ = std::move(sink); }
  // A range event (kind RangeBegin, RangeActive or RangeEnd) at `time`.
  void on_range(EventKind kind, const Range& r, Time time);
  // The end of the trace, at `last`: a pause still open ends there.
  void end(Time last);
  [[nodiscard]] const GcSummary& summary() const { return gc_; }

 private:
  void close_stw(Time end, bool complete);

  GcSummary gc_;
  std::function<void(const GcSpan&)> sink_;
  bool cycle_open_ = false;  // a cycle began in the trace and has not ended
  Time cycle_begin_ = 0;
  bool stw_open_ = false;
  Time stw_begin_ = 0;
  std::string stw_kind_;  // of the open pause: its name between the parentheses
};

}  // namespace gtanalyze::analysis
