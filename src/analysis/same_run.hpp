// Whether a capture of `gtanalyze collect` can be of the run a trace records, for those that join
// the two (crosscheck, --leak-proof CAPTURE): the program's Go version, and for Go 1.22+ traces,
// which time with nanotime() as the capture's probes do (CLOCK_MONOTONIC), their clocks.
#pragma once

#include <span>
#include <string>
#include <utility>

#include "gtanalyze/event.hpp"
#include "gtanalyze/ids.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::analysis {

// One run's two sides time a change microseconds apart; two runs of even a short program start
// milliseconds apart at the least.
inline constexpr Time kMaxSameRunOffset = 10'000'000;

// Go 1.22+ traces on Linux count CLOCK_MONOTONIC nanoseconds, as the capture does.
constexpr bool shares_capture_clock(Version trace) { return trace >= Version::Go1_22; }

// Why a capture of a Go 1.`go_minor` program (whose traces are `capture` format) cannot be of a
// run whose trace is `trace` format; empty when it may be.
std::string other_go_version(Version trace, Version capture, unsigned go_minor);

// The first and the last time of `events`, which are in time order ({0, 0} for none): a capture's
// reader raises its records' slips (collector/capture_reader.cpp).
std::pair<Time, Time> time_span(std::span<const Event> events);

// For a trace that shares the capture's clock: why a capture whose records span [first, last]
// cannot be of the run whose trace spans [lo, hi] (they do not overlap, give or take
// kMaxSameRunOffset); empty when it may be.
std::string spans_apart(Time lo, Time hi, Time first, Time last);

}  // namespace gtanalyze::analysis
