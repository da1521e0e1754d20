// Integer arithmetic as Go does it on amd64, for the decoders of both trace formats: Go's int64
// sums wrap and its float64 → int64 conversion never traps, while in C++ the first is undefined
// on overflow and the second out of range (both found by tests/fuzz on damaged traces).
#pragma once

#include <cstdint>
#include <limits>

namespace gtanalyze::parser {

// a + b, wrapping (times and sequence numbers are sums of arbitrary wire deltas).
inline std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

// a - b, wrapping.
inline std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

// int64(x): truncated toward zero; NaN and out-of-range values give INT64_MIN, as CVTTSD2SQ does.
inline std::int64_t go_float_to_int64(double x) {
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(x);
}

}  // namespace gtanalyze::parser
