// LatencyHistogram: exact nearest-rank percentiles, and absorb() (how the summary moves latencies
// into groups and the whole, never copying) giving the same as counting every sample in one.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "analysis/latency_histogram.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

// Nearest rank over the sorted samples, written out plainly.
LatencyStats by_sorting(std::vector<Duration> v) {
  LatencyStats out;
  if (v.empty()) return out;
  std::sort(v.begin(), v.end());
  auto rank = [&](std::uint64_t p) { return v[std::max<std::uint64_t>(1, (p * v.size() + 99) / 100) - 1]; };
  out.count = v.size();
  out.p50 = rank(50);
  out.p90 = rank(90);
  out.p99 = rank(99);
  out.max = v.back();
  return out;
}

bool same(const LatencyStats& a, const LatencyStats& b) {
  return a.count == b.count && a.p50 == b.p50 && a.p90 == b.p90 && a.p99 == b.p99 && a.max == b.max;
}

}  // namespace

TEST_CASE("absorb gives the percentiles of all samples and leaves the other histogram empty") {
  std::mt19937_64 rng(20261206);
  for (int round = 0; round < 50; round++) {
    // Sizes on both sides of each other, so that both directions of absorb() are taken.
    const std::size_t na = rng() % 3000, nb = rng() % 3000;
    std::vector<Duration> all;
    LatencyHistogram a, b;
    for (std::size_t i = 0; i < na; i++) {
      const auto v = static_cast<Duration>(rng() % 5000);  // repeats: counts above 1
      a.add(v);
      all.push_back(v);
    }
    for (std::size_t i = 0; i < nb; i++) {
      const auto v = static_cast<Duration>(rng() % 100000);
      b.add(v);
      all.push_back(v);
    }
    INFO("round " << round << ": " << na << " + " << nb << " samples");
    a.absorb(std::move(b));
    CHECK(same(a.stats(), by_sorting(all)));
    CHECK(b.count() == 0);
    CHECK(same(b.stats(), LatencyStats{}));
    // The emptied histogram is usable again.
    b.add(7);
    CHECK(same(b.stats(), by_sorting({7})));
  }
}
