// Linked events on a synthetic stream: each goroutine transition links to the one that put the
// goroutine in the state it leaves, a chain ends with the goroutine, and a range end links to its
// begin in the same scope.
#include <catch2/catch_test_macros.hpp>

#include <optional>
#include <string>
#include <vector>

#include "analysis/links.hpp"
#include "support/synthetic_events.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

const test::Tables tables({"", "chan receive"});

Event ev(EventType t, Time time, GoId g, ProcId p, std::array<std::uint64_t, 4> args = {}) {
  return test::event(tables, t, time, g, p, args);
}

// The index each event links to (nullopt: none).
std::vector<std::optional<std::uint64_t>> links_of(const std::vector<Event>& events) {
  Linker linker;
  std::vector<std::optional<std::uint64_t>> out;
  for (std::uint64_t i = 0; i < events.size(); i++) {
    const auto link = linker.on_event(i, events[i]);
    if (link) {
      CHECK(link->type == events[link->index].type);
      CHECK(link->time == events[link->index].time);
    }
    out.push_back(link ? std::optional<std::uint64_t>(link->index) : std::nullopt);
  }
  return out;
}

}  // namespace

TEST_CASE("a goroutine's transitions form one chain, which ends with it") {
  const std::vector<Event> events = {
      ev(EventType::GoCreate, 10, 1, 0, {5, 0, 0, 0}),            // 0: g5 created by g1
      ev(EventType::GoStart, 20, kNoGoroutine, 0, {5, 0, 0, 0}),  // 1 ← 0
      ev(EventType::GoBlock, 30, 5, 0, {1, 0, 0, 0}),             // 2 ← 1
      ev(EventType::GoUnblock, 40, 1, 0, {5, 0, 0, 0}),           // 3 ← 2: g1 unblocked g5
      ev(EventType::GoStart, 50, kNoGoroutine, 1, {5, 0, 0, 0}),  // 4 ← 3
      ev(EventType::GoSyscallBegin, 60, 5, 1),                    // 5 ← 4
      ev(EventType::GoSyscallEnd, 70, 5, 1),                      // 6 ← 5
      ev(EventType::GoDestroy, 80, 5, 1),                         // 7 ← 6, and the chain ends
      ev(EventType::GoCreate, 90, 1, 0, {5, 0, 0, 0}),            // 8: a new g5 starts a new chain
      ev(EventType::GoStart, 95, kNoGoroutine, 0, {5, 0, 0, 0}),  // 9 ← 8
  };
  const auto links = links_of(events);
  const std::vector<std::optional<std::uint64_t>> want = {std::nullopt, 0, 1, 2, 3, 4, 5, 6, std::nullopt, 8};
  CHECK(links == want);
}

TEST_CASE("chains of different goroutines do not mix") {
  const std::vector<Event> events = {
      ev(EventType::GoCreate, 10, 1, 0, {5, 0, 0, 0}),            // 0
      ev(EventType::GoCreate, 11, 1, 0, {6, 0, 0, 0}),            // 1
      ev(EventType::GoStart, 20, kNoGoroutine, 0, {6, 0, 0, 0}),  // 2 ← 1
      ev(EventType::GoStart, 21, kNoGoroutine, 1, {5, 0, 0, 0}),  // 3 ← 0
      ev(EventType::GoBlock, 30, 6, 0, {1, 0, 0, 0}),             // 4 ← 2
  };
  const std::vector<std::optional<std::uint64_t>> want = {std::nullopt, std::nullopt, 1, 0, 2};
  CHECK(links_of(events) == want);
}

TEST_CASE("a range end links to the begin of the same range in the same scope") {
  const std::vector<Event> events = {
      ev(EventType::GCBegin, 10, 1, 0),            // 0
      ev(EventType::GCMarkAssistBegin, 20, 5, 0),  // 1: g5's assist
      ev(EventType::GCMarkAssistBegin, 21, 6, 1),  // 2: g6's
      ev(EventType::GCMarkAssistEnd, 30, 6, 1),    // 3 ← 2
      ev(EventType::GCMarkAssistEnd, 31, 5, 0),    // 4 ← 1
      ev(EventType::GCEnd, 40, 1, 0),              // 5 ← 0
      ev(EventType::GCEnd, 50, 1, 0),              // 6: nothing open
  };
  const std::vector<std::optional<std::uint64_t>> want = {std::nullopt, std::nullopt, std::nullopt, 2, 1, 0,
                                                          std::nullopt};
  CHECK(links_of(events) == want);
}
