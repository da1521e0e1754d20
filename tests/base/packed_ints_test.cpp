// PackedInts: values come back in order and unchanged, small ones in few bytes.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "base/packed_ints.hpp"

using gtanalyze::base::PackedInts;

namespace {

std::vector<std::int64_t> values_of(const PackedInts& p) {
  std::vector<std::int64_t> out;
  p.for_each([&](std::int64_t v) { out.push_back(v); });
  return out;
}

}  // namespace

TEST_CASE("PackedInts gives back what was pushed in order (extremes included)") {
  const std::vector<std::int64_t> values = {0,
                                            1,
                                            -1,
                                            63,
                                            -64,
                                            64,
                                            -65,
                                            127,
                                            128,
                                            512,
                                            5056,
                                            34240,
                                            32505280,
                                            -123456789,
                                            std::numeric_limits<std::int64_t>::max(),
                                            std::numeric_limits<std::int64_t>::min(),
                                            0};
  PackedInts p;
  CHECK(p.empty());
  for (std::int64_t v : values) p.push_back(v);
  CHECK_FALSE(p.empty());
  CHECK(values_of(p) == values);
}

TEST_CASE("PackedInts: an empty list reads as none") { CHECK(values_of(PackedInts{}).empty()); }
