// The comparison on synthetic event streams: identical stories agree; each kind of difference is
// reported under its item.
#include <catch2/catch_test_macros.hpp>

#include "collector/crosscheck.hpp"

using namespace gtanalyze;
using namespace gtanalyze::collector;

namespace {

struct Tables final : EventTables {
  std::vector<std::string> strings{"", "chan send", "chan receive", "forever"};
  std::vector<std::vector<StackFrame>> stacks{{}, {StackFrame{1, "main.a", "m.go", 1}}, {StackFrame{2, "main.b", "m.go", 2}}};
  std::string_view string(std::uint64_t id) const override { return strings.at(id); }
  Stack stack(std::uint64_t id) const override { return stacks.at(id); }
  std::string_view extra_string(std::uint64_t) const override { return {}; }
};
Tables tables;

Event ev(EventType t, Time time, GoId g, std::array<std::uint64_t, 4> args = {}) {
  Event e;
  e.type = t;
  e.time = time;
  e.g = g;
  e.args = args;
  e.tables = &tables;
  return e;
}

std::vector<Event> story(Time shift, std::uint64_t reason = 1, std::uint64_t start_stack = 1) {
  return {
      ev(EventType::GoCreate, shift + 100, 1, {5, start_stack, 0, 0}),
      ev(EventType::GoStart, shift + 200, kNoGoroutine, {5, 0, 0, 0}),
      ev(EventType::GoBlock, shift + 300, 5, {reason, 0, 0, 0}),
      ev(EventType::GoUnblock, shift + 400, 1, {5, 0, 0, 0}),
      ev(EventType::GoStart, shift + 500, kNoGoroutine, {5, 0, 0, 0}),
      ev(EventType::GoSyscallBegin, shift + 600, 5),
      ev(EventType::GoSyscallEnd, shift + 700, 5),
      ev(EventType::GoBlock, shift + 800, 5, {2, 0, 0, 0}),  // leaked: chan receive
      ev(EventType::GoCreate, shift + 850, 1, {6, 2, 0, 0}),
      ev(EventType::GoStart, shift + 860, kNoGoroutine, {6, 0, 0, 0}),
      ev(EventType::GoDestroy, shift + 900, 6),
  };
}

const CrosscheckItem& item(const CrosscheckReport& r, const std::string& name) {
  for (const auto& i : r.items) {
    if (i.name == name) return i;
  }
  FAIL("no item " << name);
  return r.items.front();
}

}  // namespace

TEST_CASE("identical stories agree, whatever the clock offset") {
  auto rep = crosscheck(story(0), story(1'000'000'000), Version::Go1_26);
  INFO(render_text(rep));
  CHECK(rep.agree());
  CHECK(item(rep, "goroutines").compared == 2);
  CHECK(item(rep, "leak candidates").agreed == 1);
  CHECK(render_json(rep).find("\"agree\": true") != std::string::npos);
}

TEST_CASE("differences are reported per item") {
  SECTION("block reason") {
    auto rep = crosscheck(story(0), story(0, 3), Version::Go1_26);
    CHECK_FALSE(rep.agree());
    CHECK_FALSE(item(rep, "blocks, syscalls and exit").ok());
    CHECK(item(rep, "start functions").ok());
  }
  SECTION("start function") {
    auto rep = crosscheck(story(0), story(0, 1, 2), Version::Go1_26);
    CHECK_FALSE(item(rep, "start functions").ok());
  }
  SECTION("a goroutine missing from the capture") {
    auto cap = story(0);
    cap.resize(8);
    auto rep = crosscheck(story(0), cap, Version::Go1_26);
    CHECK_FALSE(item(rep, "goroutines").ok());
    CHECK(item(rep, "goroutines").differences.at(0).find("g6") != std::string::npos);
  }
}

TEST_CASE("a runtime goroutine woken after the tracer's last event agrees; a user goroutine does not") {
  // Goroutine 7 blocks; in the capture it is woken soon after, but the tracer never recorded
  // that (as when it stops recording its own goroutines while it shuts down).
  auto trace_story = [](std::uint64_t start_stack, bool woken) {
    auto s = story(0);
    s.push_back(ev(EventType::GoCreate, 950, 1, {7, start_stack, 0, 0}));
    s.push_back(ev(EventType::GoStart, 960, kNoGoroutine, {7, 0, 0, 0}));
    s.push_back(ev(EventType::GoBlock, 970, 7, {0, 0, 0, 0}));
    if (woken) s.push_back(ev(EventType::GoUnblock, 980, 1, {7, 0, 0, 0}));
    s.push_back(ev(EventType::GoCreate, 1000, 1, {8, 2, 0, 0}));
    return s;
  };
  auto capture_story = [&](std::uint64_t start_stack) { return trace_story(start_stack, true); };
  tables.stacks.push_back({StackFrame{3, "runtime.bgsweep", "mgc.go", 3}});
  const std::uint64_t runtime_stack = tables.stacks.size() - 1;
  auto runtime_rep = crosscheck(trace_story(runtime_stack, false), capture_story(runtime_stack), Version::Go1_26);
  INFO(render_text(runtime_rep));
  CHECK(item(runtime_rep, "final states").ok());
  auto user_rep = crosscheck(trace_story(2, false), capture_story(2), Version::Go1_26);
  CHECK_FALSE(item(user_rep, "final states").ok());
}
