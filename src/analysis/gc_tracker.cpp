// The GC figures (see gc_tracker.hpp).
#include "analysis/gc_tracker.hpp"

#include <algorithm>
#include <string_view>

namespace gtanalyze::analysis {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
constexpr std::string_view kStw = "stop-the-world (";  // then the kind and ")"
constexpr std::string_view kCycle = "GC concurrent mark phase";

}  // namespace

void GcTracker::on_range(EventKind kind, const Range& r, Time time) {
  if (kind == EventKind::RangeBegin) {
    if (r.name == kCycle) {
      gc_.cycles++;
      cycle_open_ = true;
      cycle_begin_ = time;
    }
    if (!starts_with(r.name, kStw)) return;
    if (stw_open_) close_stw(time, true);
    stw_open_ = true;
    stw_begin_ = time;
    stw_kind_ = std::string(r.name.substr(kStw.size(), r.name.size() - kStw.size() - 1));
    gc_.stw_count++;
    gc_.stw_by_kind[stw_kind_].count++;
  } else if (kind == EventKind::RangeEnd && stw_open_ && starts_with(r.name, kStw)) {
    close_stw(time, true);
  } else if (kind == EventKind::RangeEnd && cycle_open_ && r.name == kCycle) {
    cycle_open_ = false;
    if (sink_) sink_(GcSpan{false, "", cycle_begin_, time, true});
  }
}

void GcTracker::end(Time last) {
  if (stw_open_) close_stw(last, false);
  if (cycle_open_ && sink_) sink_(GcSpan{false, "", cycle_begin_, last, false});
  cycle_open_ = false;
}

void GcTracker::close_stw(Time end, bool complete) {
  if (sink_) sink_(GcSpan{true, stw_kind_, stw_begin_, end, complete});
  const Duration d = end - stw_begin_;
  StwKind& k = gc_.stw_by_kind[stw_kind_];
  k.total += d;
  k.max = std::max(k.max, d);
  gc_.stw_total += d;
  gc_.stw_max = std::max(gc_.stw_max, d);
  stw_open_ = false;
}

}  // namespace gtanalyze::analysis
