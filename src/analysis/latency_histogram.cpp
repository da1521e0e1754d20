// The slow paths of LatencyHistogram (see latency_histogram.hpp).
#include "analysis/latency_histogram.hpp"

#include <algorithm>
#include <utility>

namespace gtanalyze::analysis {

void LatencyHistogram::absorb(LatencyHistogram&& other) {
  if (other.used_ > used_) std::swap(*this, other);
  for (const Slot& s : other.slots_)
    if (s.count != 0) add(s.value, s.count);
  other = LatencyHistogram{};
}

LatencyStats LatencyHistogram::stats() const {
  LatencyStats out;
  if (total_ == 0) return out;
  std::vector<std::pair<Duration, std::uint64_t>> values;
  values.reserve(used_);
  for (const Slot& s : slots_)
    if (s.count != 0) values.emplace_back(s.value, s.count);
  std::sort(values.begin(), values.end());
  const std::uint64_t n = total_;
  auto rank = [&](std::uint64_t p) {
    const std::uint64_t r = std::max<std::uint64_t>(1, (p * n + 99) / 100);
    std::uint64_t seen = 0;
    for (const auto& [v, c] : values) {
      seen += c;
      if (seen >= r) return v;
    }
    return values.back().first;
  };
  out.count = n;
  out.p50 = rank(50);
  out.p90 = rank(90);
  out.p99 = rank(99);
  out.max = values.back().first;
  return out;
}

void LatencyHistogram::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  max_used_ = slots_.size() / 2;  // at most half full, so that probes stay short
  used_ = 0;
  total_ = 0;
  for (const Slot& s : old)
    if (s.count != 0) add(s.value, s.count);
}

}  // namespace gtanalyze::analysis
