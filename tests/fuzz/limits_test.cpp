// Resource limits: sizes and counts on the wire are checked against what the input could hold
// before anything is allocated, and huge ids cost no more memory than small ones.
#include <sys/resource.h>
#include <catch2/catch_test_macros.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/entry_points.hpp"
#include "parser/wire.hpp"

using namespace gtanalyze;
using parser::append_uvarint;

namespace {

constexpr std::uint64_t k2p40 = std::uint64_t{1} << 40;

// Peak resident memory of this process so far, in MiB (each test case runs in its own process
// under CTest, so the growth over a test is what the test itself needed).
long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// A Go 1.22 batch of generation 1 on M `m` holding `payload`.
std::string batch(std::uint64_t m, const std::string& payload) {
  std::string b = "\x01";
  append_uvarint(b, 1);
  append_uvarint(b, m);
  append_uvarint(b, 1);
  append_uvarint(b, payload.size());
  return b + payload;
}

std::string header() { return std::string("go 1.22 trace\0\0\0", 16); }

std::string frequency_batch() {
  std::string p = "\x08";
  append_uvarint(p, 15625000);
  return batch(~std::uint64_t{0}, p);
}

std::string read_file(const std::string& rel) {
  std::ifstream in(std::string(GTANALYZE_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("limits: string and stack ids of 2^40 are kept sparse, not allocated for") {
  std::string strings = "\x04\x05";  // Strings, String id=2^40 len=1 "f"
  append_uvarint(strings, k2p40);
  strings +=
      "\x01"
      "f";
  std::string stacks = "\x02\x03";  // Stacks, Stack id=2^40 nframes=1, pc func=file=2^40 line
  append_uvarint(stacks, k2p40);
  append_uvarint(stacks, 1);
  for (std::uint64_t v : {std::uint64_t{0x401000}, k2p40, k2p40, std::uint64_t{7}}) append_uvarint(stacks, v);
  const long before = peak_rss_mib();
  const fuzz::Outcome o =
      fuzz::decode(header() + batch(~std::uint64_t{0}, strings) + batch(~std::uint64_t{0}, stacks) + frequency_batch(),
                   fuzz::Consumers::AnalysisAndDump);
  INFO(o.error.describe());
  CHECK(o.ok);
  CHECK(peak_rss_mib() - before < 64);
}

TEST_CASE("limits: a stack claiming 2^40 frames or a string claiming 2^40 bytes is a Limit error") {
  std::string stacks = "\x02\x03\x01";  // Stack id=1 nframes=2^40
  append_uvarint(stacks, k2p40);
  std::string trace = header() + batch(~std::uint64_t{0}, stacks) + frequency_batch();
  fuzz::Outcome o = fuzz::decode(trace, fuzz::Consumers::None);
  REQUIRE_FALSE(o.ok);
  CHECK(o.error.code == ErrorCode::Limit);
  CHECK(o.error.offset > 16);
  CHECK(o.error.offset < trace.size());

  std::string strings = "\x04\x05\x01";  // String id=1 len=2^40
  append_uvarint(strings, k2p40);
  trace = header() + batch(~std::uint64_t{0}, strings) + frequency_batch();
  o = fuzz::decode(trace, fuzz::Consumers::None);
  REQUIRE_FALSE(o.ok);
  CHECK(o.error.code == ErrorCode::Limit);
  CHECK(o.error.offset > 16);
}

TEST_CASE("limits: old formats refuse a stack of 2^40 frames and a string of 2^40 bytes") {
  // Go 1.11: Batch p=0 ts=1; Frequency; then the claim. The top two type bits count arguments:
  // 3 means "length-prefixed", as an EvStack with its frames always is.
  std::string body = std::string("\x41\x00\x01", 3);  // EvBatch (1) with 2 args: p=0, ts=1
  body += "\x02";                                     // EvFrequency (2), 1 arg
  append_uvarint(body, 1000000000);
  std::string stack = "\xc3";  // EvStack (3), length-prefixed
  std::string args;
  append_uvarint(args, 1);      // id
  append_uvarint(args, k2p40);  // frames
  append_uvarint(stack, args.size());
  stack += args;
  fuzz::Outcome o = fuzz::decode(std::string("go 1.11 trace\0\0\0", 16) + body + stack, fuzz::Consumers::None);
  REQUIRE_FALSE(o.ok);
  CHECK(o.error.offset >= 16);
  INFO(o.error.describe());

  std::string str = "\x25\x01";  // EvString (37) id=1 len=2^40
  append_uvarint(str, k2p40);
  o = fuzz::decode(std::string("go 1.11 trace\0\0\0", 16) + body + str, fuzz::Consumers::None);
  REQUIRE_FALSE(o.ok);
  CHECK(o.error.offset >= 16);
}

TEST_CASE("limits: a goroutine id of 4194000 costs no more memory than a small one") {
  // Regression: the flat goroutine table was sized by the id (370 MB for this 107-byte trace).
  const std::string trace = read_file("tests/fuzz/regressions/generational/goroutine-id-4194000-allocates-370mb.trace");
  REQUIRE(trace.size() > 16);
  const long before = peak_rss_mib();
  const fuzz::Outcome o = fuzz::decode(trace, fuzz::Consumers::Analysis);
  CHECK(o.ok);
  CHECK(peak_rss_mib() - before < 64);
}
