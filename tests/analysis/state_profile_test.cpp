// The intervals of the pprof profiles on synthetic streams: what begins and ends one, the overlap
// with the goroutine's window, how samples are told apart, the 128-frame cut (docs/pprof.md).
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include "analysis/state_profile.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

struct Tables final : EventTables {
  std::vector<std::string> strings{"", "chan receive", "network", "sleep"};
  std::vector<std::vector<StackFrame>> stacks;
  std::string_view string(std::uint64_t id) const override { return strings.at(id); }
  Stack stack(std::uint64_t id) const override { return stacks.at(id); }
  std::string_view extra_string(std::uint64_t) const override { return {}; }
};

// Stacks by id: 1 and 2 the same PCs, 3 the same lines as 1 at other PCs, 4 of 130 frames.
Tables make_tables() {
  Tables t;
  const auto frame = [](std::uint64_t pc, std::uint64_t line) { return StackFrame{pc, "main.f", "main.go", line}; };
  t.stacks = {{}, {frame(0x10, 7), frame(0x20, 9)}, {frame(0x10, 7), frame(0x20, 9)}, {frame(0x11, 7), frame(0x21, 9)}};
  std::vector<StackFrame> deep;
  for (std::uint64_t i = 0; i < 130; i++) deep.push_back(frame(0x1000 + i, i));
  t.stacks.push_back(deep);
  return t;
}
const Tables tables = make_tables();

constexpr GoId kG = 5;
Event ev(EventType t, Time time, GoId g, std::array<std::uint64_t, 4> args) {
  Event e;
  e.type = t;
  e.time = time;
  e.g = g;
  e.p = 0;
  e.args = args;
  e.tables = &tables;
  return e;
}
// kG blocks with `reason` and `stack` at `at`; goroutine 1 unblocks it at `until`; it runs at once.
std::vector<Event> wait(Time at, Time until, std::uint64_t reason, std::uint64_t stack) {
  return {ev(EventType::GoBlock, at, kG, {reason, stack, 0, 0}), ev(EventType::GoUnblock, until, 1, {kG, 1, 0, 0}),
          ev(EventType::GoStart, until, kNoGoroutine, {kG, 2, 0, 0})};
}

std::vector<ProfileSample> profile(ProfileType type, const std::vector<Event>& events, GoroutineWindow window) {
  base::IdMap<GoroutineWindow> windows;
  windows.emplace(kG, window);
  StateProfile p(type, std::move(windows));
  p.on_events(events);
  return p.finish();
}

std::vector<Event> concat(std::initializer_list<std::vector<Event>> parts) {
  std::vector<Event> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace

TEST_CASE("an interval counts only for its overlap with the goroutine's window") {
  // Waits of 50 before the window's start (100), across it, inside it, and after its end (200).
  const auto events = concat(
      {wait(10, 60, 1, 1), wait(80, 130, 1, 1), wait(140, 150, 1, 1), wait(190, 260, 1, 1), wait(300, 350, 1, 1)});
  const auto samples = profile(ProfileType::Sync, events, {100, 200});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].count == 3);  // the waits wholly outside count for nothing, not even 1
  CHECK(samples[0].delay == 30 + 10 + 10);
}

TEST_CASE("the reason decides which waits net and sync count; an unwatched goroutine counts nothing") {
  const auto events = concat({wait(10, 20, 1, 1), wait(30, 50, 2, 1), wait(60, 100, 3, 1)});
  const auto sync = profile(ProfileType::Sync, events, {0, 1000});
  REQUIRE(sync.size() == 1);
  CHECK(sync[0].delay == 10);
  const auto net = profile(ProfileType::Net, events, {0, 1000});
  REQUIRE(net.size() == 1);
  CHECK(net[0].delay == 20);
  CHECK(profile(ProfileType::Net, events, {2000, 3000}).empty());
}

TEST_CASE("sched takes the unblocker's stack and ends when the goroutine runs") {
  const std::vector<Event> events = {ev(EventType::GoBlock, 10, kG, {1, 1, 0, 0}),
                                     ev(EventType::GoUnblock, 20, 1, {kG, 1, 3, 0}),
                                     ev(EventType::GoStart, 45, kNoGoroutine, {kG, 2, 0, 0})};
  const auto samples = profile(ProfileType::Sched, events, {0, 1000});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].count == 1);
  CHECK(samples[0].delay == 25);
  REQUIRE(samples[0].frames.size() == 2);
  CHECK(samples[0].frames[0].pc == 0x11);
}

TEST_CASE("samples are told apart by PCs; an open interval is dropped; stacks are cut at 128 frames") {
  // Stacks 1 and 2: the same PCs, one sample. Stack 3: the same lines at other PCs, another.
  const auto events = concat({wait(10, 20, 1, 1),
                              wait(30, 40, 1, 2),
                              wait(50, 60, 1, 3),
                              wait(70, 80, 1, 4),
                              {ev(EventType::GoBlock, 90, kG, {1, 1, 0, 0})}});
  const auto samples = profile(ProfileType::Sync, events, {0, 1000});
  REQUIRE(samples.size() == 3);
  // Ordered by frames, the innermost PC first: 0x10, 0x11, 0x1000.
  CHECK(samples[0].count == 2);
  CHECK(samples[0].frames[0].pc == 0x10);
  CHECK(samples[1].count == 1);
  CHECK(samples[1].frames[0].pc == 0x11);
  CHECK(samples[2].frames.size() == kProfileMaxFrames);
  CHECK(samples[2].frames.back().pc == 0x1000 + kProfileMaxFrames - 1);
}
