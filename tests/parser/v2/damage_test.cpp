// Damaged input: truncation at any offset ends in a warning or an error (never a crash or a hang),
// and sizes beyond the format's limits are refused before allocating.
#include <fmt/format.h>
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "parser/support.hpp"
#include "parser/v2/generation.hpp"
#include "parser/wire.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

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
  for (const char* name :
       {"/corpus/go1.25/syncprims.trace", "/corpus/go1.26/syncprims.trace", "/corpus/go1.22/sched.trace"}) {
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

namespace {

// Where each generation of a whole Go 1.22-1.25 trace ends (its batches are contiguous), and
// whether its last batch is its string table.
struct GenerationEnd {
  std::size_t end = 0;
  bool strings_last = false;
};
std::vector<GenerationEnd> generation_ends(const std::string& trace) {
  std::vector<GenerationEnd> ends;
  parser::ByteReader r(trace, 16, trace.size());
  std::uint64_t current = 0;
  while (!r.empty()) {
    const std::size_t start = r.offset();
    std::uint8_t kind = 0, exp = 0;
    REQUIRE(r.u8(kind) == parser::ReadStatus::Ok);
    if (kind == parser::v2::type_byte(EventType::ExperimentalBatch)) REQUIRE(r.u8(exp) == parser::ReadStatus::Ok);
    std::uint64_t gen = 0, m = 0, time = 0, size = 0;
    std::string_view payload;
    REQUIRE(r.uvarints(gen, m, time, size) == parser::ReadStatus::Ok);
    REQUIRE(r.bytes(size, payload) == parser::ReadStatus::Ok);
    if (gen != current) {
      if (current != 0) ends.back().end = start;
      ends.push_back({});
      current = gen;
    }
    ends.back().strings_last = kind == parser::v2::type_byte(EventType::EventBatch) && !payload.empty() &&
                               static_cast<std::uint8_t>(payload[0]) == parser::v2::type_byte(EventType::Strings);
  }
  ends.back().end = trace.size();
  return ends;
}

}  // namespace

// Go 1.22-1.25 traces have no end-of-generation marker: a trace cut between batches (a crashed
// program leaves whole batches) ended with a generation that lacked its tables, read as whole,
// and failed on their ids ("found invalid stack ID"), the generations before it lost.
TEST_CASE("a Go 1.22-1.25 trace cut anywhere is read up to its last whole generation") {
  for (const char* name :
       {"/corpus/go1.23/syncprims.trace", "/corpus/go1.24/syncprims.trace", "/corpus/go1.25/syncprims.trace"}) {
    const std::string full = read_all(source_dir() + name);
    const std::vector<GenerationEnd> ends = generation_ends(full);
    REQUIRE(ends.size() >= 2);
    std::vector<std::uint64_t> events_to;  // events of the trace up to each generation's end
    for (const GenerationEnd& g : ends) {
      REQUIRE(g.strings_last);  // what the reader relies on
      const DecodeResult res = decode(full.substr(0, g.end), false);
      REQUIRE(res.ok);
      CHECK(res.warnings.empty());
      events_to.push_back(res.events);
    }
    DYNAMIC_SECTION(name) {
      std::size_t wrong = 0;
      for (std::size_t cut = ends[0].end + 1; cut < full.size(); cut++) {
        std::size_t whole = 0;
        while (whole + 1 < ends.size() && ends[whole + 1].end <= cut) whole++;
        const DecodeResult res = decode(full.substr(0, cut), false);
        const bool right = res.ok && res.events == events_to[whole] && (cut == ends[whole].end) == res.warnings.empty();
        if (!right && wrong++ < 3)
          FAIL_CHECK("cut at " << cut << ": " << (res.ok ? "" : res.error.describe()) << " events " << res.events
                               << ", want " << events_to[whole] << " (" << res.warnings.size() << " warnings)");
      }
      CHECK(wrong == 0);
    }
  }
}

namespace {

// A Go 1.22 trace of one generation: an event batch on M 1 holding `events`, then a frequency
// batch (64 ns per tick). The events start at stream offset 21.
std::string one_batch_trace(const std::string& events) {
  const auto batch = [](std::uint64_t m, const std::string& payload) {
    std::string b = "\x01";  // EventBatch gen=1 m time=1 size
    parser::append_uvarint(b, 1);
    parser::append_uvarint(b, m);
    parser::append_uvarint(b, 1);
    parser::append_uvarint(b, payload.size());
    return b + payload;
  };
  std::string freq = "\x08";
  parser::append_uvarint(freq, 15625000);
  return std::string("go 1.22 trace\0\0\0", 16) + batch(1, events) + batch(~std::uint64_t{0}, freq);
}

}  // namespace

TEST_CASE("an event whose values run past the end of its batch is refused at the event") {
  // ProcStatus (13) has three values: dt, proc, status. The decoder reads them before checking
  // where they end, so each cut must still be an error and never read another batch's bytes.
  using namespace std::string_literals;
  struct Case {
    std::string events;
    const char* message;
    std::uint64_t offset;
  };
  const Case cases[] = {
      {"\x0d"s, "found invalid uvarint for timestamp", 21},                               // no timestamp at all
      {"\x0d\x81"s, "found invalid uvarint for timestamp", 21},                           // timestamp cut
      {"\x0d\x01\x00"s, "found invalid uvarint", 21},                                     // status missing
      {"\x0d\x01\x00\x80"s, "found invalid uvarint", 21},                                 // status cut
      {"\x0d\x01\x00\x01\x0d\x01\x80"s, "found invalid uvarint", 25},                     // the second event's proc cut
      {"\x0d\x01"s + std::string(10, '\xff') + "\x01\x01", "found invalid uvarint", 21},  // 11 bytes
  };
  for (const Case& c : cases) {
    CAPTURE(c.events.size(), c.message);
    const DecodeResult res = decode(one_batch_trace(c.events));
    REQUIRE_FALSE(res.ok);
    CHECK(res.error.code == ErrorCode::Corrupt);
    CHECK(res.error.message == c.message);
    CHECK(res.error.offset == c.offset);
  }
  // The same events whole are read (a ProcStatus of an idle proc, then one of a running one).
  CHECK(decode(one_batch_trace("\x0d\x01\x00\x02\x0d\x01\x01\x01"s)).ok);
}

TEST_CASE("a goroutine's status is its value's low byte, as Go's reader reads it") {
  using namespace std::string_literals;
  // ProcStatus dt=1 proc=0 idle, then GoStatus dt=1 g=5 m=none and the status under test.
  const auto trace = [](std::uint64_t status) {
    std::string events = "\x0d\x01\x00\x02\x19\x01\x05"s;
    parser::append_uvarint(events, ~std::uint64_t{0});
    parser::append_uvarint(events, status);
    return one_batch_trace(events);
  };
  const DecodeResult waiting = decode(trace(4));
  REQUIRE(waiting.ok);
  // 260 = 256 + 4: Go's reader converts it to a uint8 and reads a waiting goroutine.
  const DecodeResult wide = decode(trace(260));
  REQUIRE(wide.ok);
  CHECK(wide.dump == waiting.dump);
  // 263 = 256 + 7: refused, with the byte Go's message shows (gtaref -read-only: "invalid status
  // for goroutine 5: 7").
  const DecodeResult bad = decode(trace(263));
  REQUIRE_FALSE(bad.ok);
  CHECK(bad.error.message == "invalid status for goroutine 5: 7");
}

TEST_CASE("an event naming a string or stack its generation lacks is refused at the event") {
  // Byte 205000 of this trace is the reason (string 22) of the GoStop at 204998, of generation 1;
  // flipped to 233 it reads on into the stack id: string 12649, which the generation lacks. The
  // ordering keeps no offsets: the error was at the end of the file (214765), with no generation.
  std::string trace = read_all(source_dir() + "/corpus/go1.25/gcheavy.trace");
  REQUIRE(trace.size() > 205000);
  REQUIRE(trace.substr(204998, 4) == "\x13\x01\x16\x62");  // GoStop dt=1 reason=22 stack=98
  trace[205000] = static_cast<char>(0x16 ^ 0xff);
  for (const Threads threads : {Threads::One, Threads::InputAhead}) {
    const DecodeResult res = decode(trace, false, threads);
    REQUIRE_FALSE(res.ok);
    CHECK(res.error.message == "found invalid string ID 12649 for event GoStop");
    CHECK(res.error.offset == 204998);
    CHECK(res.error.generation == 1);
  }
}

TEST_CASE("Frequency mul gives Go's float64 product also where it shifts") {
  // Go's frequency.mul, written out: the product in float64, truncated (out of range: INT64_MIN).
  const auto go_mul = [](double ns_per_tick, std::uint64_t ticks) -> Time {
    const double x = static_cast<double>(ticks) * ns_per_tick;
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
    return static_cast<Time>(x);
  };
  for (const double ns_per_tick : {1.0, 64.0, 1048576.0, 0.5, 1.5, 64.000001}) {
    const parser::v2::Frequency freq(ns_per_tick);
    for (unsigned bit = 0; bit < 64; bit++) {
      for (const std::uint64_t delta : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}}) {
        const std::uint64_t ticks = (std::uint64_t{1} << bit) + delta;  // around every power of two
        CAPTURE(ns_per_tick, ticks);
        CHECK(freq.mul(ticks) == go_mul(ns_per_tick, ticks));
      }
    }
  }
}

TEST_CASE("many Ms: each M's events come in shorter runs, refilled, and merge in time order") {
  // 400 Ms of 300 GoStatus events each: more Ms than runs of full size fit the feed's memory
  // budget for, so each M's events come in several shorter runs. Event k of M i is at tick
  // 400k + i + 2 (after the Sync at tick 1) and names goroutine 1000i + k, so in time order the
  // goroutines go M after M within each k: every run boundary of every M is crossed while all
  // 400 cursors are merged.
  constexpr std::uint64_t kMs = 400, kEvents = 300;
  const auto batch = [](std::uint64_t m, std::uint64_t time, const std::string& payload) {
    std::string b = "\x01";  // EventBatch gen=1
    parser::append_uvarint(b, 1);
    parser::append_uvarint(b, m);
    parser::append_uvarint(b, time);
    parser::append_uvarint(b, payload.size());
    return b + payload;
  };
  std::string trace("go 1.22 trace\0\0\0", 16);
  for (std::uint64_t i = 0; i < kMs; i++) {
    std::string events;
    for (std::uint64_t k = 0; k < kEvents; k++) {
      events += '\x19';  // GoStatus dt g m status=Waiting
      parser::append_uvarint(events, k == 0 ? 0 : kMs);
      parser::append_uvarint(events, 1000 * i + k);
      parser::append_uvarint(events, 0);
      parser::append_uvarint(events, 4);
    }
    trace += batch(i, i + 2, events);
  }
  std::string freq = "\x08";
  parser::append_uvarint(freq, 15625000);
  trace += batch(~std::uint64_t{0}, 1, freq);

  auto src = ByteSource::from_memory(trace, "many-ms");
  auto reader = TraceReader::open(*src);
  REQUIRE(reader);
  std::uint64_t n = 0;
  bool in_order = true;
  std::string first_wrong;
  Event ev;
  for (;;) {
    auto more = (*reader)->next(ev);
    if (!more) FAIL(more.error().describe());
    if (!*more) break;
    if (ev.type != EventType::GoStatus) continue;
    const std::uint64_t k = n / kMs, i = n % kMs;
    if (ev.state_change().id != static_cast<GoId>(1000 * i + k) ||
        ev.time != static_cast<Time>(64 * (kMs * k + i + 2))) {
      if (in_order) first_wrong = fmt::format("event {}: g={} t={}", n, ev.state_change().id, ev.time);
      in_order = false;
    }
    n++;
  }
  CHECK(n == kMs * kEvents);
  CAPTURE(first_wrong);
  CHECK(in_order);
}

// A table batch read whole but damaged inside is damage, not a cut: it was a warning ("trace cut
// short"), exit 0, on a file of full length. Except where Go's reader takes it for the trace's
// end: a batch that ends just before one of a record's values.
TEST_CASE("a table batch damaged inside a whole file is an error, except where Go reads it as the end") {
  const auto damaged = [](const char* name, std::size_t at, auto change) {
    std::string bytes = read_all(source_dir() + name);
    REQUIRE(at < bytes.size());
    bytes[at] = static_cast<char>(change(static_cast<std::uint8_t>(bytes[at])));
    return decode(bytes, false);
  };
  const auto set_top_bit = [](std::uint8_t b) { return b | 0x80; };
  SECTION("a frame's last value runs past its batch (stacks batch of generation 2)") {
    const DecodeResult res = damaged("/corpus/go1.26/syncprims.trace", 13032, set_top_bit);
    REQUIRE_FALSE(res.ok);
    CHECK(res.error.code == ErrorCode::Corrupt);
    CHECK(res.error.generation == 2);
    CHECK(res.error.describe() == "offset 13006 (generation 2): reading frame 3 for stack 40: unexpected EOF");
  }
  SECTION("a string numbered 0, the empty string's id (Go: multiple strings with the same ID)") {
    const DecodeResult res = damaged("/corpus/go1.23/syncprims.trace", 7871, [](std::uint8_t) { return 0; });
    REQUIRE_FALSE(res.ok);
    CHECK(res.error.describe() == "offset 7870 (generation 1): multiple strings with the same ID: id=0");
  }
  SECTION("a clock snapshot whose value runs to the batch's end: Go's reader ends the trace there") {
    const DecodeResult res = damaged("/corpus/go1.26/syncprims.trace", 10687, [](std::uint8_t b) { return b ^ 0x80; });
    REQUIRE(res.ok);
    REQUIRE(res.warnings.size() == 1);
    CHECK(res.warnings[0] == "trace cut short at offset 10685 in generation 2: truncated clock snapshot event");
  }
}

// Cut one byte past generation 1's end-of-generation mark, before the next one's number: the
// warning named "generation 0".
TEST_CASE("a Go 1.26 trace cut before a generation's number names the generation after the last") {
  const std::string full = read_all(source_dir() + "/corpus/go1.26/syncprims.trace");
  const DecodeResult res = decode(full.substr(0, 10653), false);
  REQUIRE(res.ok);
  REQUIRE(res.warnings.size() == 1);
  CHECK(res.warnings[0] == "trace cut short at offset 10653 in generation 2: error reading batch gen: unexpected EOF");
}

// Checked when the generation is complete (its strings may come after its stacks), but told at
// the stack's record and naming the stack, as Go names it: the end of the generation said nothing.
TEST_CASE("a frame naming a string its generation lacks is refused at its stack's record") {
  // A probe's (2026-12-08): one generation, its only stack (id 1) one frame whose function is
  // string 77, which no strings batch has.
  const unsigned char bytes[] = {
      0x67, 0x6f, 0x20, 0x31, 0x2e, 0x32, 0x36, 0x20, 0x74, 0x72, 0x61, 0x63, 0x65, 0x00, 0x00, 0x00, 0x01, 0x01,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x64, 0x10, 0x32, 0x08, 0xa8, 0xd6, 0xb9, 0x07,
      0x33, 0x01, 0xe8, 0x07, 0x80, 0xe2, 0xcf, 0xaa, 0x06, 0x05, 0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0x01, 0x64, 0x09, 0x02, 0x03, 0x01, 0x01, 0xe8, 0x07, 0x4d, 0x01, 0x05, 0x01, 0x01, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x64, 0x05, 0x04, 0x05, 0x01, 0x01, 0x78, 0x34};
  const DecodeResult res = decode(std::string(reinterpret_cast<const char*>(bytes), sizeof bytes), false);
  REQUIRE_FALSE(res.ok);
  CHECK(res.error.code == ErrorCode::Corrupt);
  CHECK(res.error.describe() == "offset 61 (generation 1): found invalid func string ID 77 for stack 1");
}

// Go 1.22-1.25 mark no generation's end, and a first generation that the file ends in is read as
// whole, as Go reads it: a cut there failed on what the cut took (an M's partner events, a
// table's strings) without a word of the cut. A whole one ends with its string table.
TEST_CASE("an error in a first generation cut short says the trace is likely cut short") {
  const std::string whole = read_all(source_dir() + "/corpus/go1.25/syncprims.trace");
  const std::string hint =
      "(the file ends in this generation, whose end Go 1.22-1.25 do not mark: the trace is likely cut short)";
  for (const std::size_t cut : {std::size_t{4578}, std::size_t{8190}}) {  // a probe's cuts (2026-12-08)
    INFO(cut);
    for (const Threads threads : {Threads::One, Threads::InputAhead}) {
      const DecodeResult res = decode(whole.substr(0, cut), false, threads);
      REQUIRE_FALSE(res.ok);
      CHECK(res.error.generation == 1);
      CHECK(res.error.message.ends_with(hint));
    }
  }
  CHECK(decode(whole, false).ok);
}
