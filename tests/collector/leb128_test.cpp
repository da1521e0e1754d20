// The collector's one LEB128 reader: DWARF's values, Go's uvarints, and their ends.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>

#include "collector/leb128.hpp"

using namespace gtanalyze::collector;

namespace {

std::string bytes(std::initializer_list<unsigned> v) {
  std::string s;
  for (unsigned b : v) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace

TEST_CASE("unsigned LEB128 values, and where they end") {
  std::uint64_t pos = 0;
  const std::string d = bytes({0x00, 0x7f, 0x80, 0x01, 0xe5, 0x8e, 0x26});
  CHECK(read_uleb128(d, pos) == 0u);
  CHECK(read_uleb128(d, pos) == 127u);
  CHECK(read_uleb128(d, pos) == 128u);
  CHECK(read_uleb128(d, pos) == 624485u);  // DWARF's own example
  CHECK(pos == d.size());
  CHECK_FALSE(read_uleb128(d, pos));  // nothing left

  pos = 0;
  const std::string max = bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  CHECK(read_uleb128(max, pos) == UINT64_MAX);
  CHECK(pos == 10);

  pos = 0;
  CHECK_FALSE(read_uleb128(bytes({0x80, 0x80}), pos));  // cut short
  pos = 0;
  CHECK_FALSE(
      read_uleb128(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), pos));  // 11 bytes
  pos = 5;
  CHECK_FALSE(read_uleb128(bytes({0x01}), pos));  // a position past the end
}

TEST_CASE("signed LEB128 values are sign-extended") {
  auto one = [](std::initializer_list<unsigned> v) {
    std::uint64_t pos = 0;
    return read_sleb128(bytes(v), pos);
  };
  CHECK(one({0x02}) == 2);
  CHECK(one({0x7e}) == -2);
  CHECK(one({0x3f}) == 63);
  CHECK(one({0x40}) == -64);
  CHECK(one({0xff, 0x00}) == 127);
  CHECK(one({0x81, 0x7f}) == -127);
  CHECK(one({0xc0, 0xbb, 0x78}) == -123456);  // DWARF's own example
  CHECK(one({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}) == INT64_MIN);
  CHECK_FALSE(one({0xff}));
}
