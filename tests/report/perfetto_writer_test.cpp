// PerfettoWriter's counter values carried by the event before them: whatever the size of that
// event's packet (its lengths in one byte or two, or crossing from one to two), the stream reads
// back whole and each value is in it exactly once, as an extra value of that event when it was at
// the same time and a counter event of its own otherwise.
#include "report/perfetto_writer.hpp"

#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <memory>
#include <protozero/pbf_reader.hpp>
#include <string>
#include <vector>

using namespace gtanalyze;
using namespace gtanalyze::report;

namespace {

// Field numbers, from Perfetto's protos (as tests/report/perfetto/trace.proto has them).
constexpr int kPacket = 1, kTrackEvent = 11, kType = 9, kCounterValue = 30, kExtraUuids = 31, kExtraValues = 12;

struct Event {
  std::uint64_t type = 0;
  std::vector<std::uint64_t> extra_uuids;
  std::vector<std::int64_t> extra_values;
  bool has_counter_value = false;
};

// The track events of a whole stream, in order; fails the test if it does not parse to the end.
std::vector<Event> read_events(const std::string& bytes) {
  std::vector<Event> out;
  protozero::pbf_reader trace(bytes);
  while (trace.next(kPacket)) {
    protozero::pbf_reader packet = trace.get_message();
    while (packet.next()) {
      if (packet.tag() != kTrackEvent) {
        packet.skip();
        continue;
      }
      Event e;
      protozero::pbf_reader event = packet.get_message();
      while (event.next()) {
        switch (event.tag()) {
          case kType: e.type = event.get_uint64(); break;
          case kExtraUuids: e.extra_uuids.push_back(event.get_uint64()); break;
          case kExtraValues: e.extra_values.push_back(event.get_int64()); break;
          case kCounterValue:
            e.has_counter_value = true;
            event.skip();
            break;
          default: event.skip();
        }
      }
      out.push_back(e);
    }
  }
  return out;
}

// Exports a slice begin whose packet carries a name `padding` bytes long (interned in it), then
// two counter values at `counter_time`; returns the stream.
std::string export_one(std::size_t padding, Time counter_time) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  REQUIRE(file);
  PerfettoWriter w(file.get());
  w.track(1, "G1");
  w.track(2, "running", 0, true);
  w.track(3, "runnable", 0, true);
  w.flush();  // the begin's packet is then the first in the buffer, as after any flush
  const std::uint64_t name = w.event_name(std::string(padding, 'n'));
  w.begin(10, SliceStart{1, name});
  const CounterValue values[] = {{2, 5}, {3, 300}};
  w.counters(counter_time, values);
  REQUIRE(w.flush());
  std::string bytes(w.bytes_written(), '\0');
  std::rewind(file.get());
  REQUIRE(std::fread(bytes.data(), 1, bytes.size(), file.get()) == bytes.size());
  return bytes;
}

}  // namespace

TEST_CASE("counter values ride on the event before them at the same time, at any packet size") {
  std::vector<std::size_t> paddings;
  for (std::size_t p = 60; p < 140; p++) paddings.push_back(p);       // the packet's length crosses 128
  for (std::size_t p = 16300; p < 16400; p++) paddings.push_back(p);  // and 16384
  bool merged = false, apart = false;
  for (const std::size_t padding : paddings) {
    INFO("a name of " << padding << " bytes");
    const std::vector<Event> events = read_events(export_one(padding, 10));
    std::vector<std::uint64_t> uuids;
    std::vector<std::int64_t> values;
    for (const Event& e : events) {
      uuids.insert(uuids.end(), e.extra_uuids.begin(), e.extra_uuids.end());
      values.insert(values.end(), e.extra_values.begin(), e.extra_values.end());
    }
    if (events.size() == 1) {
      merged = true;
      CHECK(events[0].type == 1);  // the slice begin, with both values as extras
      CHECK(uuids == std::vector<std::uint64_t>{2, 3});
      CHECK(values == std::vector<std::int64_t>{5, 300});
    } else {
      apart = true;
      REQUIRE(events.size() == 2);  // the begin, then a counter event: 5 its value, 300 an extra
      CHECK(events[0].extra_uuids.empty());
      CHECK(events[1].type == 4);
      CHECK(events[1].has_counter_value);
      CHECK(uuids == std::vector<std::uint64_t>{3});
      CHECK(values == std::vector<std::int64_t>{300});
    }
  }
  CHECK(merged);
  CHECK(apart);  // some length crossed a varint boundary
}

TEST_CASE("counter values at a later time than the last event are an event of their own") {
  const std::vector<Event> events = read_events(export_one(10, 11));
  REQUIRE(events.size() == 2);
  CHECK(events[0].extra_uuids.empty());
  CHECK(events[1].type == 4);
}
