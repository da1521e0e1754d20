// The capture format round trip and the record → event mapping, on synthetic records.
#include <catch2/catch_test_macros.hpp>

#include <fmt/format.h>

#include "analysis/summarizer.hpp"
#include "collector/capture_file.hpp"
#include "collector/capture_reader.hpp"
#include "gtanalyze/byte_source.hpp"

using namespace gtanalyze;
using namespace gtanalyze::collector;

namespace {

gtc_record cas(std::uint64_t ts, std::uint64_t gp, std::int64_t goid, unsigned from, unsigned to,
               std::int64_t cur = 1) {
  gtc_record r{};
  r.ts = ts;
  r.gp = gp;
  r.goid = goid;
  r.cur_goid = cur;
  r.kind = GTC_CAS;
  r.old_status = static_cast<std::uint8_t>(from);
  r.new_status = static_cast<std::uint8_t>(to);
  return r;
}

Capture sample(unsigned minor) {
  Capture c;
  c.header.go_version = "go1." + std::to_string(minor) + ".0";
  c.header.go_minor = minor;
  c.header.build_id = "abc/def";
  c.header.binary = "/tmp/x";
  c.header.pid = 42;
  c.header.start_mono = 1000;
  c.header.offsets = *table_offsets(minor);
  c.header.offsets_source = "table";
  c.header.probes = {{GTC_CAS, "runtime.casgstatus", 0x401000, 0x401000, true}};
  // g 0xA0 created by g1 with a stale goid (Go < 1.24), then runs with goid 7.
  auto create = cas(1100, 0xA0, 3, 6, 1);
  create.args[0] = 0x4000;  // startpc
  create.args[1] = 0x5000;  // gopc
  create.args[2] = 1;
  c.records.push_back(create);
  c.records.push_back(cas(1200, 0xA0, 7, 1, 2));
  auto gc = cas(1250, 0xA0, 7, 2, 4);
  gc.wait_reason = 0;  // filled below per version
  c.records.push_back(gc);
  c.records.push_back(cas(1260, 0xA0, 7, 4, 2));
  auto block = cas(1300, 0xA0, 7, 2, 4);
  block.args[0] = 6;  // traceBlockChanSend (1.22+)
  c.records.push_back(block);
  c.records.push_back(cas(1400, 0xA0, 7, 4, 1, 1));
  c.records.push_back(cas(1500, 0xA0, 7, 1, 2));
  c.records.push_back(cas(1550, 0xA0, 7, 2, 3));
  c.records.push_back(cas(1560, 0xA0, 7, 3, 2));
  c.records.push_back(cas(1600, 0xA0, 7, 2, 6));
  c.trailer.symbols = {{0x4000, "main.worker", "/src/main.go", 12}, {0x5000, "main.main", "/src/main.go", 30}};
  c.trailer.stats[GTC_CAS] = c.records.size();
  c.trailer.end_mono = 2000;
  return c;
}

std::vector<Event> events_of(CaptureReader& reader) {
  std::vector<Event> events;
  Event e;
  while (*reader.next(e)) events.push_back(e);
  return events;
}

}  // namespace

TEST_CASE("capture files round-trip") {
  Capture c = sample(23);
  std::string bytes = encode_header(c.header);
  const std::uint64_t off = bytes.size();
  for (const auto& r : c.records) bytes.append(reinterpret_cast<const char*>(&r), sizeof r);
  c.trailer.records = c.records.size();
  bytes += encode_trailer(c.trailer, off + c.records.size() * sizeof(gtc_record));
  REQUIRE(is_capture(bytes));
  auto back = parse_capture(bytes);
  REQUIRE(back);
  CHECK(back->complete);
  CHECK(back->header.go_version == "go1.23.0");
  CHECK(back->header.offsets == c.header.offsets);
  CHECK(back->header.probes.size() == 1);
  CHECK(back->header.probes[0].function == "runtime.casgstatus");
  REQUIRE(back->records.size() == c.records.size());
  CHECK(back->records[4].args[0] == 6);
  CHECK(back->trailer.symbols.size() == 2);
  CHECK(back->trailer.stats[GTC_CAS] == c.records.size());

  SECTION("a capture without its trailer is read up to the end") {
    auto cut = parse_capture(std::string_view(bytes).substr(0, off + 3 * sizeof(gtc_record) + 10));
    REQUIRE(cut);
    CHECK_FALSE(cut->complete);
    CHECK(cut->records.size() == 3);
  }
  SECTION("damage is an error") {
    std::string bad = bytes;
    bad[8] = 9;  // format version
    CHECK_FALSE(parse_capture(bad));
    CHECK_FALSE(parse_capture("hello"));
  }
  SECTION("a trailer cut short: the records before it, and where it was (they read as records: 'time goes back')") {
    const std::uint64_t trailer = off + c.records.size() * sizeof(gtc_record);
    // Just after its opening magic, the file ends as a whole trailer does ("bad trailer offset").
    for (const std::size_t cut : {trailer + 8, trailer + 70, bytes.size() - 1}) {
      auto back_cut = parse_capture(std::string_view(bytes).substr(0, cut));
      INFO("cut at " << cut << ": " << (back_cut ? "" : back_cut.error().describe()));
      REQUIRE(back_cut);
      CHECK_FALSE(back_cut->complete);
      CHECK(back_cut->cut_trailer == trailer);
      CHECK(back_cut->records.size() == c.records.size());
    }
    auto reader = CaptureReader::open(*ByteSource::from_memory(std::string_view(bytes).substr(0, bytes.size() - 1)));
    REQUIRE(reader);
    CHECK((*reader)->warnings()[0] ==
          fmt::format("the capture's trailer (at offset {}) is cut short: read the records before it, as a capture "
                      "without one",
                      trailer));
  }
  SECTION("bytes after the trailer, a record cut short") {
    auto appended = parse_capture(bytes + "\n");
    REQUIRE_FALSE(appended);
    CHECK(appended.error().offset == bytes.size());
    CHECK(appended.error().message == "capture: 1 byte(s) follow the capture's trailer");
    const std::string_view cut = std::string_view(bytes).substr(0, off + 3 * sizeof(gtc_record) + 10);
    CHECK(parse_capture(cut)->cut_record_bytes == 10);
  }
  SECTION("header fields that do not hold together") {
    const auto refused = [&](Capture changed, const std::string& why) {
      std::string b = encode_header(changed.header);
      const std::uint64_t records = b.size();
      for (const auto& r : changed.records) b.append(reinterpret_cast<const char*>(&r), sizeof r);
      b += encode_trailer(changed.trailer, records + changed.records.size() * sizeof(gtc_record));
      auto parsed = parse_capture(b);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().message == "capture: " + why);
    };
    Capture m = c;
    m.header.go_minor = 19;  // read with Go 1.19's wait reasons and statuses
    refused(m, "Go minor version 19 where the header's Go version is go1.23.0");
    Capture k = c;
    k.header.clock_id = 7;
    refused(k, "clock id 7, where captures use CLOCK_MONOTONIC (1)");
    Capture e = c;
    e.trailer.end_mono = 999;  // before start_mono 1000
    refused(e, "the capture ends before it starts");
    e.trailer.end_mono = ~std::uint64_t{0};  // a duration of -9790 s
    refused(e, "end time past 2^63 ns");
  }
}

TEST_CASE("records become trace events: goid fix-up, transient waits, reasons") {
  Capture c = sample(23);
  // Running→Waiting for GC (transient in 1.23: isWaitingForGC) must not be a block.
  c.records[2].wait_reason = 6;  // waitReasonGarbageCollection in 1.23
  auto reader = CaptureReader::from_capture(c);
  REQUIRE(reader);
  std::vector<Event> events;
  Event e;
  while (*(*reader)->next(e)) events.push_back(e);
  std::vector<EventType> types;
  for (const auto& ev : events) types.push_back(ev.type);
  CHECK(types == std::vector<EventType>{EventType::Sync, EventType::GoCreate, EventType::GoStart, EventType::GoBlock,
                                        EventType::GoUnblock, EventType::GoStart, EventType::GoSyscallBegin,
                                        EventType::GoSyscallEnd, EventType::GoDestroy});
  const StateTransition create = events[1].state_transition();
  CHECK(create.resource.id == 7);  // not the stale 3
  CHECK(events[1].g == 1);         // the creator
  REQUIRE(create.stack.size() == 1);
  CHECK(create.stack[0].func == "main.worker");
  CHECK(events[3].state_transition().reason == "chan send");

  analysis::Summarizer sum;
  for (const auto& ev : events) sum.on_event(ev);
  Summary s = sum.finish((*reader)->version(), (*reader)->warnings());
  REQUIRE(s.goroutines.size() == 1);
  CHECK(s.goroutines[0].id == 7);
  CHECK(s.goroutines[0].name == "main.worker");
  CHECK(s.goroutines[0].block_by_reason.at("chan send") == 100);
  CHECK(s.goroutines[0].syscall == 10);
}

// A short-lived PIE's capture resolved no symbol (its load bias was read from /proc after it
// exited): every goroutine was "(unknown)" and the summary said "warnings none".
TEST_CASE("goroutines whose start pc has no symbol are named in a warning") {
  Capture c = sample(23);
  c.trailer.symbols.clear();
  c.trailer.initial = {{1, 0xB0, 4, 0, 0x6000}};  // alive at attach (--pid), also unnamed
  auto reader = CaptureReader::from_capture(c);
  REQUIRE(reader);
  CHECK((*reader)->warnings() ==
        std::vector<std::string>{
            "2 goroutine(s) have a start pc the capture has no symbol for: their functions read (unknown)"});
  CHECK((*CaptureReader::from_capture(sample(23)))->warnings().empty());
}

// A target that exec'd itself went on into its new image with nothing to say so; the collector
// now ends the capture with a GTC_EXEC record, which the reader names in a warning.
TEST_CASE("an exec record ends the story with a warning, not a skipped record") {
  Capture c = sample(23);
  c.records.resize(5);  // created, ran, a transient wait, ran, blocked
  gtc_record exec{};
  exec.ts = 1700, exec.goid = -1, exec.kind = GTC_EXEC;
  c.records.push_back(exec);
  auto reader = CaptureReader::from_capture(c);
  REQUIRE(reader);
  CHECK(events_of(**reader).back().type == EventType::GoBlock);
  CHECK((*reader)->warnings() ==
        std::vector<std::string>{"the target exec'd a new program 0.001 ms into the capture, which ends there: what "
                                 "the new program did is not in it"});
}

TEST_CASE("Go 1.26 syscall probes and a casgstatus of the same change count once") {
  Capture c = sample(26);
  c.records.resize(2);  // create + start (goid already valid on 1.24+)
  c.records[0].goid = 7;
  gtc_record enter{}, cas_dup{}, exit{};
  enter.ts = 1300, enter.gp = 0xA0, enter.goid = 7, enter.kind = GTC_SYS_ENTER;
  cas_dup = cas(1301, 0xA0, 7, 2, 3);
  exit.ts = 1400, exit.gp = 0xA0, exit.goid = 7, exit.kind = GTC_SYS_EXIT;
  c.records.insert(c.records.end(), {enter, cas_dup, exit, cas(1401, 0xA0, 7, 3, 2)});
  auto reader = CaptureReader::from_capture(c);
  REQUIRE(reader);
  std::vector<EventType> types;
  Event e;
  while (*(*reader)->next(e)) types.push_back(e.type);
  CHECK(types == std::vector<EventType>{EventType::Sync, EventType::GoCreate, EventType::GoStart,
                                        EventType::GoSyscallBegin, EventType::GoSyscallEnd});
}

TEST_CASE("the GC marking a goroutine leaked (Go 1.26, _Gwaiting -> _Gleaked) is a proof, not an event") {
  Capture c = sample(26);
  c.records.resize(5);  // created, ran, a transient wait, ran, blocked on a channel send
  c.records[0].goid = 7;
  auto leaked = cas(1700, 0xA0, 7, 4, 10);
  leaked.wait_reason = 7;  // what it waits on, as recorded
  c.records.push_back(leaked);
  c.records.push_back(leaked);  // a second leak-detecting GC marks it again
  auto reader = CaptureReader::from_capture(c);
  REQUIRE(reader);
  std::vector<EventType> types;
  Event e;
  while (*(*reader)->next(e)) types.push_back(e.type);
  CHECK(types.back() == EventType::GoBlock);  // for the tracer it stays blocked
  CHECK((*reader)->leaked() == std::vector<GoId>{7});
  CHECK((*reader)->warnings().empty());  // not a record that "did not map"
}

TEST_CASE("a preemptPark is named as the version's tracer names it") {
  // Tracers before Go 1.22 record preemptPark as a plain GoBlock (no reason); later ones say
  // "preempted". The capture must say the same, or crosscheck reports a block-reason difference.
  for (unsigned minor : {19u, 21u, 22u, 26u}) {
    Capture c = sample(minor);
    c.records.resize(2);
    c.records[0].goid = 7;
    gtc_record park{};
    park.ts = 1300, park.gp = 0xA0, park.goid = 7, park.kind = GTC_PREEMPT_PARK;
    c.records.push_back(park);
    auto reader = CaptureReader::from_capture(c);
    REQUIRE(reader);
    Event e;
    std::string reason = "(no block)";
    while (*(*reader)->next(e)) {
      if (e.type == EventType::GoBlock) reason = std::string(e.state_transition().reason);
    }
    INFO("go1." << minor);
    CHECK(reason == (minor <= 21 ? "" : "preempted"));
  }
}

// A damaged record time (a flipped bit) made durations of -1.4e17 ns, exit 0, and perfetto's
// "internal error: a timestamp goes back".
TEST_CASE("record times never go back: a slip is raised with a warning, damage is an error") {
  SECTION("microseconds out of order (two CPUs' records): raised, counted, durations stay >= 0") {
    Capture c = sample(23);
    c.records[6].ts = 1390;      // GoStart before the GoUnblock at 1400
    c.header.start_mono = 1105;  // the creation at 1100 precedes the start (--pid)
    auto reader = CaptureReader::from_capture(c);
    REQUIRE(reader);
    const std::vector<Event> events = events_of(**reader);
    for (std::size_t i = 1; i < events.size(); i++) CHECK(events[i].time >= events[i - 1].time);
    const auto& w = (*reader)->warnings();
    REQUIRE(w.size() == 1);
    CHECK(w[0].starts_with("2 record(s) carry a time before the record before them (by at most 0.0 µs"));
  }
  SECTION("far back, or past the capture's end: an error naming the record and its offset") {
    for (const auto& [ts, why] : {std::pair<std::uint64_t, std::string>{5, "before the record before it"},
                                  {2001, "after the capture's end (2000 ns)"}}) {
      Capture c = sample(23);
      c.records_offset = 300;
      c.records[4].ts = ts;
      if (ts == 5) {
        c.header.start_mono = 200'000'000;
        for (auto& r : c.records) r.ts += 200'000'000;
        c.trailer.end_mono += 200'000'000;
        c.records[4].ts = 5;
      }
      auto reader = CaptureReader::from_capture(c);
      REQUIRE_FALSE(reader);
      CHECK(reader.error().offset == 300 + 4 * 64);
      CHECK(reader.error().message.starts_with("capture: record 4 has time "));
      CHECK(reader.error().message.find(why) != std::string::npos);
    }
  }
}
