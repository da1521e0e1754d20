// The trace-wide GC figures: cycles and stop-the-world pauses, counted from the ranges the
// runtime traces for them (by Go's range names).
#pragma once

#include <string>

#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class GcTracker {
 public:
  // A range event (kind RangeBegin, RangeActive or RangeEnd) at `time`.
  void on_range(EventKind kind, const Range& r, Time time);
  // The end of the trace, at `last`: a pause still open ends there.
  void end(Time last);
  [[nodiscard]] const GcSummary& summary() const { return gc_; }

 private:
  void close_stw(Time end);

  GcSummary gc_;
  bool stw_open_ = false;
  Time stw_begin_ = 0;
  std::string stw_kind_;  // of the open pause: its name between the parentheses
};

}  // namespace gtanalyze::analysis
