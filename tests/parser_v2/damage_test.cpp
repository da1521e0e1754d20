// The bounded cursor, and damaged input: truncation at any offset ends in a warning or an error
// (never a crash or a hang), and sizes beyond the format's limits are refused before allocating.
#include <catch2/catch_test_macros.hpp>

#include <string>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "parser/v2/byte_reader.hpp"
#include "parser_v2/support.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

TEST_CASE("ByteReader reads bounded uvarints and bytes") {
  std::string buf;
  parser::append_uvarint(buf, 0);
  parser::append_uvarint(buf, 127);
  parser::append_uvarint(buf, 300);
  parser::append_uvarint(buf, ~std::uint64_t{0});
  buf += "xyz";
  parser::ByteReader r(buf);
  std::uint64_t v = 0;
  REQUIRE(r.uvarint(v));
  CHECK(v == 0);
  REQUIRE(r.uvarint(v));
  CHECK(v == 127);
  REQUIRE(r.uvarint(v));
  CHECK(v == 300);
  REQUIRE(r.uvarint(v));
  CHECK(v == ~std::uint64_t{0});
  std::string_view s;
  CHECK_FALSE(r.bytes(4, s));
  REQUIRE(r.bytes(3, s));
  CHECK(s == "xyz");
  CHECK(r.empty());
  CHECK_FALSE(r.uvarint(v));

  // Truncated in the middle of a varint: refused, cursor unchanged.
  parser::ByteReader t(std::string_view("\x80\x80", 2));
  CHECK_FALSE(t.uvarint(v));
  CHECK(t.position() == 0);
  // Eleven bytes, or a tenth byte above 1: overflow.
  const std::string eleven = std::string(10, '\xff') + "\x01";
  parser::ByteReader o(eleven);
  CHECK_FALSE(o.uvarint(v));
  const std::string big_tenth = std::string(9, '\xff') + "\x02";
  parser::ByteReader o2(big_tenth);
  CHECK_FALSE(o2.uvarint(v));
}

TEST_CASE("a batch claiming 1 GiB is refused") {
  std::string trace = std::string("go 1.22 trace\0\0\0", 16);
  trace += '\x01';  // EventBatch gen=1 m=0 time=1 size=1<<30
  parser::append_uvarint(trace, 1);
  parser::append_uvarint(trace, 0);
  parser::append_uvarint(trace, 1);
  parser::append_uvarint(trace, std::uint64_t{1} << 30);
  trace += "\x0b\x01";
  const DecodeResult res = decode(trace);
  REQUIRE_FALSE(res.ok);
  CHECK(res.error.code == ErrorCode::Limit);
  CHECK(res.error.offset == 16);
}

TEST_CASE("an empty or garbage body gives an error or an empty trace, never a crash") {
  const std::string header("go 1.26 trace\0\0\0", 16);
  for (const std::string& body : {std::string(), std::string("\x00", 1), std::string("\xff\xff\xff"),
                                  std::string("\x01\x01\x00\x00\x03\x7f\x7f\x7f"), std::string("\x34\x34")}) {
    const DecodeResult res = decode(header + body);
    CHECK((res.ok || !res.error.message.empty()));
  }
}

TEST_CASE("truncation: a warning after a whole generation, an error before") {
  for (const char* name : {"/corpus/go1.25/syncprims.trace", "/corpus/go1.26/syncprims.trace",
                           "/corpus/go1.22/sched.trace"}) {
    const std::string full = read_all(source_dir() + name);
    if (full.empty()) continue;
    const DecodeResult whole = decode(full, false);
    REQUIRE(whole.ok);
    DYNAMIC_SECTION(name) {
      std::size_t warned = 0, failed = 0;
      // Every 97th offset, plus the last few bytes.
      for (std::size_t cut = 0; cut < full.size(); cut += (cut + 8 >= full.size() ? 1 : 97)) {
        const DecodeResult res = decode(full.substr(0, cut), false);
        if (res.ok) {
          CHECK(res.events <= whole.events);
          if (!res.warnings.empty()) warned++;
        } else {
          failed++;
          CHECK(res.error.offset <= cut);
        }
      }
      INFO("warned " << warned << ", failed " << failed);
      CHECK(warned + failed > 0);
    }
  }
}
