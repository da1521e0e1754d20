// The wire reading both decoders share (parser/wire.hpp): Go's uvarint limits, the bounded
// cursor's refusals and offsets, and the padded fast path agreeing with the bounded one.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "parser/wire.hpp"

using namespace gtanalyze::parser;

namespace {

const std::uint8_t* bytes_of(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

}  // namespace

TEST_CASE("ByteReader reads uvarints, bytes and u8 and reports its offset") {
  std::string buf;
  append_uvarint(buf, 0);
  append_uvarint(buf, 127);
  append_uvarint(buf, 300);
  append_uvarint(buf, ~std::uint64_t{0});
  buf += "xyz";
  REQUIRE(buf.size() == 1 + 1 + 2 + 10 + 3);
  ByteReader r(buf);
  std::uint64_t v = 0;
  REQUIRE(r.uvarint(v) == ReadStatus::Ok);
  CHECK(v == 0);
  CHECK(r.offset() == 1);
  REQUIRE(r.uvarint(v) == ReadStatus::Ok);
  CHECK(v == 127);
  REQUIRE(r.uvarint(v) == ReadStatus::Ok);
  CHECK(v == 300);
  CHECK(r.offset() == 4);
  REQUIRE(r.uvarint(v) == ReadStatus::Ok);
  CHECK(v == ~std::uint64_t{0});
  CHECK(r.offset() == 14);
  CHECK(r.remaining() == 3);
  std::string_view s;
  CHECK(r.bytes(4, s) == ReadStatus::Truncated);
  CHECK(r.offset() == 14);
  REQUIRE(r.bytes(3, s) == ReadStatus::Ok);
  CHECK(s == "xyz");
  CHECK(r.empty());
  CHECK(r.uvarint(v) == ReadStatus::Truncated);
  std::uint8_t b = 0;
  CHECK(r.u8(b) == ReadStatus::Truncated);
}

TEST_CASE("a varint cut off by the end of the bytes is Truncated and consumes nothing") {
  std::uint64_t v = 42;
  ByteReader t(std::string_view("\x80\x80", 2));
  CHECK(t.uvarint(v) == ReadStatus::Truncated);
  CHECK(t.offset() == 0);
  CHECK(v == 42);
  // Nine continuation bytes: one short of the longest varint, still a cut and not an overflow.
  const std::string nine(9, '\xff');
  ByteReader t9(nine);
  CHECK(t9.uvarint(v) == ReadStatus::Truncated);
  CHECK(t9.offset() == 0);
}

TEST_CASE("a varint over 10 bytes or 64 bits is Corrupt, even with more bytes after it") {
  std::uint64_t v = 42;
  const std::string eleven = std::string(10, '\xff') + "\x01";
  ByteReader o(eleven);
  CHECK(o.uvarint(v) == ReadStatus::Corrupt);
  CHECK(o.offset() == 0);
  const std::string big_tenth = std::string(9, '\xff') + "\x02";
  ByteReader o2(big_tenth);
  CHECK(o2.uvarint(v) == ReadStatus::Corrupt);
  // A tenth byte of 1 is the largest value that fits.
  const std::string max = std::string(9, '\xff') + "\x01";
  ByteReader m(max);
  REQUIRE(m.uvarint(v) == ReadStatus::Ok);
  CHECK(v == ~std::uint64_t{0});
  CHECK(m.offset() == 10);
  // A non-minimal encoding is accepted, as by Go (0 in two bytes).
  ByteReader z(std::string_view("\x80\x00", 2));
  REQUIRE(z.uvarint(v) == ReadStatus::Ok);
  CHECK(v == 0);
  CHECK(z.offset() == 2);
}

TEST_CASE("a ByteReader over part of the bytes stays inside it and counts offsets from the start") {
  std::string buf = "\x05\x81\x01\x07tail";
  ByteReader r(buf, 1, 4);  // the varint 129 and the byte 7
  CHECK(r.offset() == 1);
  CHECK(r.remaining() == 3);
  std::uint64_t v = 0;
  std::uint8_t b = 0;
  REQUIRE(r.uvarint(v) == ReadStatus::Ok);
  CHECK(v == 129);
  CHECK(r.offset() == 3);
  REQUIRE(r.u8(b) == ReadStatus::Ok);
  CHECK(b == 7);
  CHECK(r.empty());
  std::string_view s;
  CHECK(r.bytes(1, s) == ReadStatus::Truncated);
  // A varint that would go on past `end` is cut there.
  ByteReader cut(buf, 1, 2);
  CHECK(cut.uvarint(v) == ReadStatus::Truncated);
  CHECK(cut.offset() == 1);
}

TEST_CASE("uvarints reads in order and stops at the first failure") {
  std::string buf;
  append_uvarint(buf, 1);
  append_uvarint(buf, 1000);
  ByteReader r(buf);
  std::uint64_t a = 0, b = 0, c = 99;
  CHECK(r.uvarints(a, b, c) == ReadStatus::Truncated);
  CHECK(a == 1);
  CHECK(b == 1000);
  CHECK(c == 99);
  CHECK(r.offset() == 3);
  buf += std::string(10, '\xff');
  ByteReader bad(buf);
  CHECK(bad.uvarints(a, b, c) == ReadStatus::Corrupt);
}

TEST_CASE("padded_uvarint decodes as the bounded reader does, 0 for a corrupt value") {
  for (const std::uint64_t value : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{127}, std::uint64_t{128},
                                    std::uint64_t{1} << 35, ~std::uint64_t{0}}) {
    std::string buf;
    append_uvarint(buf, value);
    const std::size_t length = buf.size();
    buf.append(kMaxUvarintLen, '\0');  // the padding the fast path relies on
    std::uint64_t v = 0;
    CHECK(padded_uvarint(bytes_of(buf), v) == length);
    CHECK(v == value);
  }
  std::uint64_t v = 0;
  const std::string eleven = std::string(10, '\x80') + "\x01";
  CHECK(padded_uvarint(bytes_of(eleven), v) == 0);
  const std::string big_tenth = std::string(9, '\xff') + "\x02";
  CHECK(padded_uvarint(bytes_of(big_tenth), v) == 0);
  // A value cut off by its batch's end reads the zero padding: the caller sees it end past the batch.
  const std::string cut = std::string("\x81") + std::string(kMaxUvarintLen, '\0');
  CHECK(padded_uvarint(bytes_of(cut), v) == 2);
}
