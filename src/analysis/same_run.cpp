// Whether a capture can be of a trace's run (see same_run.hpp).
#include "analysis/same_run.hpp"

#include <fmt/format.h>

namespace gtanalyze::analysis {

std::string other_go_version(Version trace, Version capture, unsigned go_minor) {
  if (trace == capture) return {};
  return fmt::format(
      "the capture is of a Go 1.{} program, whose traces are Go {}'s format, not Go {}'s: not the "
      "same run",
      go_minor, version_name(capture), version_name(trace));
}

std::pair<Time, Time> time_span(std::span<const Event> events) {
  if (events.empty()) return {0, 0};
  return {events.front().time, events.back().time};
}

std::string spans_apart(Time lo, Time hi, Time first, Time last) {
  if (last + kMaxSameRunOffset >= lo && first <= hi + kMaxSameRunOffset) return {};
  auto seconds = [](Time t) { return static_cast<double>(t) / 1e9; };
  return fmt::format(
      "the capture ({:.3f} s to {:.3f} s) and the trace ({:.3f} s to {:.3f} s), both timed with "
      "CLOCK_MONOTONIC, do not overlap: not the same run",
      seconds(first), seconds(last), seconds(lo), seconds(hi));
}

}  // namespace gtanalyze::analysis
