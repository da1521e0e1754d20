// The capture's clock as a function of the trace's, by which crosscheck lines up the two sides of
// one run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "gtanalyze/ids.hpp"

namespace gtanalyze::collector {

// What the trace's timestamps count, which decides what the fit may estimate.
enum class TraceClock : std::uint8_t {
  // Go 1.22+ on Linux: nanotime(), that is CLOCK_MONOTONIC, as the capture's bpf_ktime_get_ns():
  // one clock, so the slope is 1 and only the offset (microseconds of probe latency) is fitted.
  // A slope fitted on a short run's pairs is noise (1e-3 seen), which over a long trace would
  // misplace the window's end by far more than the edge tolerance.
  Monotonic,
  // Go <= 1.21: CPU ticks scaled by a frequency the runtime measured over the trace (5.6e-4 off
  // seen on a 100 ms Go 1.21 trace): the slope is fitted, and must be 1 within kMaxTickSlopeError.
  Ticks,
};

// The capture's clock as a function of the trace's, fitted on changes both sides record once
// per goroutine (creations and exits).
struct ClockFit {
  double slope = 1.0, offset = 0.0;
  std::size_t pairs = 0, outliers = 0;  // pairs used, and those rejected as outliers
  Time max_residual = 0;                // largest |capture - fit| over the pairs kept
  Time max_residual_all = 0;            // ... over every pair, outliers included
  double fitted_slope = 1.0;            // Ticks: the slope the pairs gave, before the sanity check
  bool slope_sane = true;               // Ticks: |fitted_slope - 1| <= the limit (else slope = 1)
  static constexpr double kMaxTickSlopeError = 1e-2;
  Time to_capture(Time trace_time) const;
  // Ticks: the pairs keep another pace than one run's two clocks: the fitted slope is off by more
  // than the limit and slope 1 leaves residuals (outliers included) of half the least edge
  // tolerance or more. A slope fitted over pairs a few ms apart is off by percents from probe
  // jitter alone (2.1% over 19 pairs of one run's 50 ms Go 1.19 trace under ASan, whose residuals
  // at slope 1 were 40 µs).
  [[nodiscard]] bool paces_differ() const;
};
// pairs: (trace time, capture time) of the same change. Ticks: Theil–Sen slope (median of slopes
// between pairs at least 1 ms apart); then the median offset, outliers (residual over 100 µs and
// 10× the median residual) rejected, and the offset taken again from the rest.
ClockFit fit_clocks(std::vector<std::pair<Time, Time>> pairs, TraceClock clock);

// How far from a window edge a change may be and still count on either side of it: at least
// 1 ms, and twice the largest residual of the clock fit.
Time edge_tolerance(const ClockFit& fit);

}  // namespace gtanalyze::collector
