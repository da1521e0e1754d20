// A robust fit of capture times against trace times: median offset with outliers rejected, and
// for tick clocks a Theil–Sen slope.
#include "collector/clock_fit.hpp"

#include <algorithm>
#include <cmath>

namespace gtanalyze::collector {
namespace {

constexpr Time kMinFitSpan = 1'000'000;  // pairs closer than 1 ms give no slope
constexpr Time kMinOutlierResidual = 100'000;
constexpr Time kMinEdgeTolerance = 1'000'000;

template <class T>
T median(std::vector<T> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Slopes between pairs half the set apart: each spans a long time, and their median does not
// move for a few bad pairs (Theil–Sen, on n/2 slopes rather than n²/2).
void fit_tick_slope(ClockFit& fit, std::vector<std::pair<Time, Time>>& pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::vector<double> slopes;
  const std::size_t half = (pairs.size() + 1) / 2;
  for (std::size_t i = 0; i + half < pairs.size(); i++) {
    const auto [t0, c0] = pairs[i];
    const auto [t1, c1] = pairs[i + half];
    if (t1 - t0 >= kMinFitSpan) slopes.push_back(static_cast<double>(c1 - c0) / static_cast<double>(t1 - t0));
  }
  if (!slopes.empty()) fit.fitted_slope = median(slopes);
  fit.slope_sane = std::abs(fit.fitted_slope - 1.0) <= ClockFit::kMaxTickSlopeError;
  fit.slope = fit.slope_sane ? fit.fitted_slope : 1.0;
}

}  // namespace

Time ClockFit::to_capture(Time trace_time) const {
  return static_cast<Time>(std::llround(slope * static_cast<double>(trace_time) + offset));
}

ClockFit fit_clocks(std::vector<std::pair<Time, Time>> pairs, TraceClock clock) {
  ClockFit fit;
  if (pairs.empty()) return fit;
  if (clock == TraceClock::Ticks) fit_tick_slope(fit, pairs);

  auto offset_of = [&](const std::pair<Time, Time>& p) {
    return static_cast<double>(p.second) - fit.slope * static_cast<double>(p.first);
  };
  std::vector<double> offsets;
  for (const auto& p : pairs) offsets.push_back(offset_of(p));
  const double first_offset = median(offsets);
  std::vector<double> residuals;
  for (double o : offsets) residuals.push_back(std::abs(o - first_offset));
  const double limit = std::max(static_cast<double>(kMinOutlierResidual), 10.0 * median(residuals));
  std::vector<double> kept;
  for (double o : offsets) {
    if (std::abs(o - first_offset) <= limit) kept.push_back(o);
  }
  fit.offset = median(kept);  // never empty: the median itself is within the limit
  fit.pairs = kept.size();
  fit.outliers = pairs.size() - kept.size();
  double worst = 0, worst_all = 0;
  for (double o : kept) worst = std::max(worst, std::abs(o - fit.offset));
  for (double o : offsets) worst_all = std::max(worst_all, std::abs(o - fit.offset));
  fit.max_residual = static_cast<Time>(std::ceil(worst));
  fit.max_residual_all = static_cast<Time>(std::ceil(worst_all));
  return fit;
}

bool ClockFit::paces_differ() const { return !slope_sane && 2 * max_residual_all >= kMinEdgeTolerance; }

Time edge_tolerance(const ClockFit& fit) { return std::max(kMinEdgeTolerance, 2 * fit.max_residual); }

}  // namespace gtanalyze::collector
