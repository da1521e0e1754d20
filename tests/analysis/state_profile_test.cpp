// The intervals of the pprof profiles on synthetic streams: what begins and ends one, the overlap
// with the goroutine's windows (its life or its regions), how samples are told apart, the 128-frame cut
// (docs/pprof.md).
#include <catch2/catch_test_macros.hpp>

#include <optional>
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

std::vector<ProfileSample> profile(ProfileType type, const std::vector<Event>& events,
                                   std::vector<GoroutineWindow> window) {
  ProfileWindows windows;
  windows.emplace(kG, std::move(window));
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
  const auto samples = profile(ProfileType::Sync, events, {{100, 200}});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].count == 3);  // the waits wholly outside count for nothing, not even 1
  CHECK(samples[0].delay == 30 + 10 + 10);
}

TEST_CASE("an interval counts for its overlaps with each of the goroutine's windows") {
  // Regions [100, 200] and [300, 400]; one wait across both, one touching the first at its end.
  const auto events = concat({wait(150, 350, 1, 1), wait(400, 500, 1, 1)});
  const auto samples = profile(ProfileType::Sync, events, {{100, 200}, {300, 400}});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].count == 1);  // the touch overlaps for 0: not counted
  CHECK(samples[0].delay == 50 + 50);
}

TEST_CASE("region windows: the outermost regions of the type, a missing start or end the trace's") {
  Summary summary;
  summary.first = 10;
  summary.last = 1000;
  const auto region = [](std::string name, std::optional<Time> start, std::optional<Time> end) {
    RegionSummary r;
    r.name = std::move(name);
    r.start = start;
    r.end = end;
    return r;
  };
  GoroutineSummary g;
  g.id = kG;
  // Out of order; [120, 150] is nested in [100, 200]; [180, 300] begins inside it but ends after;
  // [200, 250] begins as it ends; "other" and the nameless region are another type.
  g.regions = {region("r", 200, 250), region("r", 120, 150), region("other", 0, 2000),      region("r", 100, 200),
               region("r", 180, 300), region("", 0, 2000),   region("r", 900, std::nullopt)};
  GoroutineSummary early;
  early.id = kG + 1;
  early.regions = {region("r", std::nullopt, 50)};
  GoroutineSummary none;
  none.id = kG + 2;
  none.regions = {region("other", 1, 2)};
  summary.goroutines = {g, early, none};

  ProfileWindows windows = region_windows(summary, "r");
  CHECK(windows.size() == 2);
  const auto spans = [&](GoId id) {
    std::vector<std::pair<Time, Time>> out;
    for (const GoroutineWindow& w : windows.find(id)->second) out.emplace_back(w.start, w.end);
    return out;
  };
  CHECK(spans(kG) == std::vector<std::pair<Time, Time>>{{100, 200}, {200, 250}, {900, 1000}});
  CHECK(spans(kG + 1) == std::vector<std::pair<Time, Time>>{{10, 50}});
  CHECK(windows.find(kG + 2) == nullptr);
  CHECK(region_windows(summary, "").find(kG)->second.size() == 1);  // the nameless, as Go's ?type=
  CHECK(region_windows(summary, "nosuch").size() == 0);
}

TEST_CASE("the reason decides which waits net and sync count; an unwatched goroutine counts nothing") {
  const auto events = concat({wait(10, 20, 1, 1), wait(30, 50, 2, 1), wait(60, 100, 3, 1)});
  const auto sync = profile(ProfileType::Sync, events, {{0, 1000}});
  REQUIRE(sync.size() == 1);
  CHECK(sync[0].delay == 10);
  const auto net = profile(ProfileType::Net, events, {{0, 1000}});
  REQUIRE(net.size() == 1);
  CHECK(net[0].delay == 20);
  CHECK(profile(ProfileType::Net, events, {{2000, 3000}}).empty());
}

TEST_CASE("sched takes the unblocker's stack and ends when the goroutine runs") {
  const std::vector<Event> events = {ev(EventType::GoBlock, 10, kG, {1, 1, 0, 0}),
                                     ev(EventType::GoUnblock, 20, 1, {kG, 1, 3, 0}),
                                     ev(EventType::GoStart, 45, kNoGoroutine, {kG, 2, 0, 0})};
  const auto samples = profile(ProfileType::Sched, events, {{0, 1000}});
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
  const auto samples = profile(ProfileType::Sync, events, {{0, 1000}});
  REQUIRE(samples.size() == 3);
  // Ordered by frames, the innermost PC first: 0x10, 0x11, 0x1000.
  CHECK(samples[0].count == 2);
  CHECK(samples[0].frames[0].pc == 0x10);
  CHECK(samples[1].count == 1);
  CHECK(samples[1].frames[0].pc == 0x11);
  CHECK(samples[2].frames.size() == kProfileMaxFrames);
  CHECK(samples[2].frames.back().pc == 0x1000 + kProfileMaxFrames - 1);
}
