// The capture's clock as a function of the trace's, by which crosscheck lines up the two sides of
// one run.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "gtanalyze/ids.hpp"

namespace gtanalyze::collector {

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

}  // namespace gtanalyze::collector
