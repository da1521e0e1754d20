// The GC figures (see gc_tracker.hpp).
#include "analysis/gc_tracker.hpp"

#include <algorithm>
#include <string_view>

namespace gtanalyze::analysis {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
constexpr std::string_view kStw = "stop-the-world (";  // then the kind and ")"

}  // namespace

void GcTracker::on_range(EventKind kind, const Range& r, Time time) {
  if (kind == EventKind::RangeBegin) {
    if (r.name == "GC concurrent mark phase") gc_.cycles++;
    if (!starts_with(r.name, kStw)) return;
    if (stw_open_) close_stw(time);
    stw_open_ = true;
    stw_begin_ = time;
    stw_kind_ = std::string(r.name.substr(kStw.size(), r.name.size() - kStw.size() - 1));
    gc_.stw_count++;
    gc_.stw_by_kind[stw_kind_].count++;
  } else if (kind == EventKind::RangeEnd && stw_open_ && starts_with(r.name, kStw)) {
    close_stw(time);
  }
}

void GcTracker::end(Time last) {
  if (stw_open_) close_stw(last);
}

void GcTracker::close_stw(Time end) {
  const Duration d = end - stw_begin_;
  StwKind& k = gc_.stw_by_kind[stw_kind_];
  k.total += d;
  k.max = std::max(k.max, d);
  gc_.stw_total += d;
  gc_.stw_max = std::max(gc_.stw_max, d);
  stw_open_ = false;
}

}  // namespace gtanalyze::analysis
