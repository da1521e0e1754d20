// libFuzzer target: see fuzz::generational in entry_points.hpp (tests/fuzz/run-fuzzers.sh runs it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return gtanalyze::fuzz::generational(std::string_view(reinterpret_cast<const char*>(data), size));
}
