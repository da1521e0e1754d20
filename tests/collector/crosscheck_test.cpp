// The comparison on synthetic event streams: identical stories agree; each kind of difference is
// reported under its item; the clock fit ignores bad pairs; changes at the window's edges may fall
// on either side; a capture that lost records is inconclusive, never a disagreement.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>

#include "collector/crosscheck.hpp"
#include "report/crosscheck_text.hpp"
#include "support/synthetic_events.hpp"

using namespace gtanalyze;
using namespace gtanalyze::collector;

namespace {

constexpr Time kUs = 1'000;
constexpr Time kMs = 1'000'000;

const test::Tables tables({"", "chan send", "chan receive", "forever", "sleep"},
                          {{},
                           {StackFrame{1, "main.a", "m.go", 1}},
                           {StackFrame{2, "main.b", "m.go", 2}},
                           {StackFrame{3, "runtime.bgsweep", "mgc.go", 3}}});
constexpr std::uint64_t kChanSend = 1, kChanRecv = 2, kForever = 3, kSleep = 4;
constexpr std::uint64_t kUserStack = 2, kRuntimeStack = 3;

Event ev(EventType t, Time time, GoId g, std::array<std::uint64_t, 4> args = {}) {
  return test::event(tables, t, time, g, kNoProc, args);
}

// A 10 ms window: g5 blocks, runs a syscall and leaks; g6 lives and dies.
std::vector<Event> story(Time shift, std::uint64_t reason = kChanSend, std::uint64_t start_stack = 1) {
  return {
      ev(EventType::GoCreate, shift + 1 * kMs, 1, {5, start_stack, 0, 0}),
      ev(EventType::GoStart, shift + 2 * kMs, kNoGoroutine, {5, 0, 0, 0}),
      ev(EventType::GoBlock, shift + 3 * kMs, 5, {reason, 0, 0, 0}),
      ev(EventType::GoUnblock, shift + 4 * kMs, 1, {5, 0, 0, 0}),
      ev(EventType::GoStart, shift + 5 * kMs, kNoGoroutine, {5, 0, 0, 0}),
      ev(EventType::GoSyscallBegin, shift + 6 * kMs, 5),
      ev(EventType::GoSyscallEnd, shift + 7 * kMs, 5),
      ev(EventType::GoBlock, shift + 8 * kMs, 5, {kChanRecv, 0, 0, 0}),  // leaked: chan receive
      ev(EventType::GoCreate, shift + 8500 * kUs, 1, {6, kUserStack, 0, 0}),
      ev(EventType::GoStart, shift + 8600 * kUs, kNoGoroutine, {6, 0, 0, 0}),
      ev(EventType::GoDestroy, shift + 9 * kMs, 6),
      ev(EventType::GoCreate, shift + 11 * kMs, 1, {9, kUserStack, 0, 0}),  // the window's last event
  };
}

const CrosscheckItem& item(const CrosscheckReport& r, const std::string& name) {
  for (const auto& i : r.items) {
    if (i.name == name) return i;
  }
  FAIL("no item " << name);
  return r.items.front();
}

void push(std::vector<Event>& v, Event e) {
  v.push_back(e);
  std::stable_sort(v.begin(), v.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
}

// story(0) and ten more creations: pairs enough to fit a clock on.
std::vector<Event> many_creations() {
  auto v = story(0);
  for (GoId id = 20; id < 30; id++)
    push(v, ev(EventType::GoCreate, 500 * kUs + id * 10 * kUs, 1, {static_cast<std::uint64_t>(id), kUserStack, 0, 0}));
  return v;
}

}  // namespace

TEST_CASE("identical stories agree, across a tick clock's offset or a probe's latency") {
  CHECK(crosscheck(story(0), story(1'000'000'000), Version::Go1_21).verdict() == Verdict::Agree);
  auto rep = crosscheck(story(0), story(3 * kMs), Version::Go1_26);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(rep.verdict() == Verdict::Agree);
  CHECK(item(rep, "goroutines").compared == 3);
  CHECK(item(rep, "leak candidates").agreed == 1);
  CHECK(report::crosscheck_json(rep).find("\"verdict\": \"agree\"") != std::string::npos);
}

TEST_CASE("goroutines the GC proved leaked must be the trace's leak candidates") {
  // g5 leaks (a candidate on both sides); g6 exits; g77 is not in the trace (after its end).
  auto rep = crosscheck(story(0), story(0), Version::Go1_26, {.gc_leaked = {5, 77}});
  CHECK(rep.agree());
  CHECK(item(rep, "GC-proven leaks").compared == 1);
  CHECK(item(rep, "GC-proven leaks").agreed == 1);
  CHECK(rep.notes.back() == "the capture saw the GC prove 2 goroutine(s) leaked: g5 g77");
  auto wrong = crosscheck(story(0), story(0), Version::Go1_26, {.gc_leaked = {5, 6}});
  CHECK(wrong.verdict() == Verdict::Differ);
  REQUIRE(item(wrong, "GC-proven leaks").differences.size() == 1);
  CHECK(item(wrong, "GC-proven leaks").differences[0].starts_with("g6: the GC proved it leaked"));
  // Without the experiment no goroutine is ever marked leaked: no such item.
  auto none = crosscheck(story(0), story(0), Version::Go1_26);
  CHECK(std::none_of(none.items.begin(), none.items.end(),
                     [](const CrosscheckItem& i) { return i.name == "GC-proven leaks"; }));
}

TEST_CASE("differences are reported per item") {
  SECTION("block reason") {
    auto rep = crosscheck(story(0), story(0, kForever), Version::Go1_26);
    CHECK_FALSE(rep.agree());
    CHECK(rep.verdict() == Verdict::Differ);
    CHECK_FALSE(item(rep, "blocks, syscalls and exit").ok());
    CHECK(item(rep, "start functions").ok());
  }
  SECTION("start function") {
    auto rep = crosscheck(story(0), story(0, kChanSend, kUserStack), Version::Go1_26);
    CHECK_FALSE(item(rep, "start functions").ok());
  }
  SECTION("a goroutine missing from the capture") {
    auto cap = story(0);
    cap.erase(cap.begin() + 8, cap.begin() + 11);  // g6
    auto rep = crosscheck(story(0), cap, Version::Go1_26);
    CHECK_FALSE(item(rep, "goroutines").ok());
    CHECK(item(rep, "goroutines").differences.at(0).find("g6") != std::string::npos);
  }
  SECTION("a step the capture lacks, well inside the window") {
    auto cap = story(0);
    cap.erase(cap.begin() + 5, cap.begin() + 7);  // g5's syscall, 4 ms from either edge
    auto rep = crosscheck(story(0), cap, Version::Go1_26);
    CHECK_FALSE(item(rep, "blocks, syscalls and exit").ok());
  }
}

TEST_CASE("a runtime goroutine woken after the tracer's last event agrees; a user goroutine does not") {
  // Goroutine 7 blocks; in the capture it is woken 2 ms before the end, but the tracer never
  // recorded that (as when it stops recording its own goroutines while it shuts down).
  auto trace_story = [](std::uint64_t start_stack, bool woken) {
    auto s = story(0);
    push(s, ev(EventType::GoCreate, 6 * kMs, 1, {7, start_stack, 0, 0}));
    push(s, ev(EventType::GoStart, 6100 * kUs, kNoGoroutine, {7, 0, 0, 0}));
    push(s, ev(EventType::GoBlock, 6200 * kUs, 7, {0, 0, 0, 0}));
    if (woken) push(s, ev(EventType::GoUnblock, 9 * kMs, 1, {7, 0, 0, 0}));
    return s;
  };
  auto runtime_rep = crosscheck(trace_story(kRuntimeStack, false), trace_story(kRuntimeStack, true), Version::Go1_26);
  INFO(report::crosscheck_text(runtime_rep));
  CHECK(item(runtime_rep, "final states").ok());
  auto user_rep = crosscheck(trace_story(kUserStack, false), trace_story(kUserStack, true), Version::Go1_26);
  CHECK_FALSE(item(user_rep, "final states").ok());
}

TEST_CASE("changes within the edge tolerance may fall on either side of the window") {
  // The capture's probe of g5's last change fires a little after the tracer's last event (the
  // tracer wrote its event first, or the clocks are microseconds apart): it is in the window.
  SECTION("a step just past the end in the capture") {
    auto trace = story(0);
    push(trace, ev(EventType::GoSyscallBegin, 11 * kMs, 6));
    trace.erase(trace.begin() + 10);  // g6 does not exit: it enters a syscall at the very end
    auto cap = trace;
    cap.back().time = 11 * kMs + 30 * kUs;
    std::stable_sort(cap.begin(), cap.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
    auto rep = crosscheck(trace, cap, Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.agree());
  }
  SECTION("a change the trace never saw, just past the end") {
    auto cap = story(0);
    push(cap, ev(EventType::GoUnblock, 11 * kMs + 200 * kUs, 1, {5, 0, 0, 0}));
    auto rep = crosscheck(story(0), cap, Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.agree());
  }
  SECTION("but not a change well before the end") {
    auto cap = story(0);
    push(cap, ev(EventType::GoUnblock, 9 * kMs, 1, {5, 0, 0, 0}));
    auto rep = crosscheck(story(0), cap, Version::Go1_26);
    CHECK_FALSE(item(rep, "final states").ok());
    CHECK_FALSE(item(rep, "leak candidates").ok());
  }
}

TEST_CASE("the clock fit ignores pairs a stalled thread put off, and checks its slope") {
  SECTION("one bad pair among many") {
    std::vector<std::pair<Time, Time>> pairs;
    for (Time i = 0; i < 20; i++) pairs.emplace_back(i * kMs, i * kMs + 700 * kMs);
    pairs[19].second += 300 * kUs;  // the tracer's event written 0.3 ms after the probe
    const ClockFit fit = fit_clocks(pairs, TraceClock::Ticks);
    CHECK(fit.slope_sane);
    CHECK(fit.slope == 1.0);
    CHECK(fit.offset == 700.0 * kMs);
    CHECK(fit.outliers == 1);
    CHECK(fit.max_residual == 0);
    CHECK(edge_tolerance(fit) == kMs);
  }
  SECTION("two pairs 1.1 ms apart, one put off by 0.3 ms: the old two-point fit gave a slope of 0.73") {
    const ClockFit fit = fit_clocks({{0, 5 * kMs}, {1100 * kUs, 5 * kMs + 800 * kUs}}, TraceClock::Ticks);
    CHECK_FALSE(fit.slope_sane);
    CHECK(fit.slope == 1.0);
    CHECK(fit.to_capture(0) >= 4 * kMs);
  }
  SECTION("one run's pairs a few ms apart, the later ones 40 us late: the slope is off, the pace is not") {
    // The soak saw this from one run of a 50 ms Go 1.19 trace under ASan (slope 1.021, residuals
    // 40 us) and called the capture another run's.
    std::vector<std::pair<Time, Time>> pairs;
    for (Time i = 0; i < 19; i++) pairs.emplace_back(i * 150 * kUs, i * 150 * kUs + 9 * kMs + (i >= 10 ? 40 * kUs : 0));
    const ClockFit fit = fit_clocks(pairs, TraceClock::Ticks);
    CHECK_FALSE(fit.slope_sane);
    CHECK(fit.max_residual_all <= 40 * kUs);
    CHECK_FALSE(fit.paces_differ());
    // Two runs' pairs, 20% apart in pace over 10 ms, do differ.
    for (Time i = 0; i < 19; i++) pairs[static_cast<std::size_t>(i)].first = i * 550 * kUs;
    for (auto& [t, c] : pairs) c = t * 6 / 5 + 9 * kMs;
    CHECK(fit_clocks(pairs, TraceClock::Ticks).paces_differ());
  }
  SECTION("a tick clock scaled by a measured frequency keeps its slope") {
    std::vector<std::pair<Time, Time>> pairs;
    for (Time i = 0; i < 10; i++)
      pairs.emplace_back(i * 100 * kMs, static_cast<Time>(static_cast<double>(i * 100 * kMs) * (1 + 2e-6)) + 5);
    const ClockFit fit = fit_clocks(pairs, TraceClock::Ticks);
    CHECK(fit.slope_sane);
    CHECK(fit.slope > 1.0);
    CHECK(fit.max_residual <= 1);
  }
  SECTION("in crosscheck: a creation recorded late on one side does not shift the window") {
    const auto trace = many_creations();
    auto cap = trace;
    for (auto& e : cap) {
      e.time += 40 * kUs;
      if (e.type == EventType::GoCreate && e.args[0] == 9) e.time += 900 * kUs;  // the last creation, put off
    }
    auto rep = crosscheck(trace, cap, Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.verdict() == Verdict::Agree);
    CHECK(rep.notes[0].find("trace + 40000 ns") != std::string::npos);
  }
}

TEST_CASE("a long difference is one readable line; --json keeps it whole") {
  // g100 blocks 300 times; in the capture, block 200 has another reason.
  auto trace = story(0);
  push(trace, ev(EventType::GoCreate, 1200 * kUs, 1, {100, kUserStack, 0, 0}));
  for (int i = 0; i < 300; i++) {
    const Time t = 1300 * kUs + i * 20 * kUs;
    push(trace, ev(EventType::GoStart, t, kNoGoroutine, {100, 0, 0, 0}));
    push(trace, ev(EventType::GoBlock, t + 5 * kUs, 100, {kSleep, 0, 0, 0}));
    push(trace, ev(EventType::GoUnblock, t + 10 * kUs, 1, {100, 0, 0, 0}));
  }
  auto cap = trace;
  int blocks = 0;
  for (auto& e : cap) {
    if (e.type == EventType::GoBlock && e.g == 100 && ++blocks == 200) e.args[0] = kChanSend;
  }
  auto rep = crosscheck(trace, cap, Version::Go1_26);
  const CrosscheckItem& b = item(rep, "blocks, syscalls and exit");
  REQUIRE(b.differences.size() == 1);
  INFO(b.differences[0]);
  CHECK(b.differences[0].size() < 300);
  CHECK(b.differences[0].find("step 200 of 300") != std::string::npos);
  CHECK(b.differences[0].find("[block(sleep)]") != std::string::npos);
  CHECK(b.differences[0].find("[block(chan send)]") != std::string::npos);
  REQUIRE(b.details.size() == 1);
  CHECK(b.details[0].first == 199);
  CHECK(b.details[0].trace.size() == 300);
  const std::string json = report::crosscheck_json(rep);
  CHECK(json.find("\"first_difference\": 199") != std::string::npos);
}

TEST_CASE("a capture that lost records is inconclusive, not a disagreement") {
  auto cap = story(0, kForever);
  auto rep = crosscheck(story(0), cap, Version::Go1_26, {.gap = "the ring buffer dropped 3 records"});
  CHECK_FALSE(rep.agree());
  CHECK(rep.verdict() == Verdict::Inconclusive);
  const std::string text = report::crosscheck_text(rep);
  CHECK(text.find("INCONCLUSIVE") != std::string::npos);
  CHECK(text.find("DIFFER") == std::string::npos);
  CHECK(report::crosscheck_json(rep).find("\"verdict\": \"inconclusive\"") != std::string::npos);
  // Nothing differs: it agrees, and the gap is still said.
  auto same = crosscheck(story(0), story(0), Version::Go1_26, {.gap = "the ring buffer dropped 3 records"});
  CHECK(same.verdict() == Verdict::Agree);
  CHECK(report::crosscheck_text(same).find("incomplete") != std::string::npos);
}

TEST_CASE("a Go 1.22+ trace shares the capture's clock: slope 1, whatever the pairs suggest") {
  SECTION("the fit") {
    // Exits probed 6 µs later than creations, relative to the tracer: fitted, a slope of 1.00075.
    const std::vector<std::pair<Time, Time>> pairs = {{1 * kMs, 1 * kMs}, {9 * kMs, 9 * kMs + 6 * kUs}};
    const ClockFit fit = fit_clocks(pairs, TraceClock::Monotonic);
    CHECK(fit.slope == 1.0);
    CHECK(fit.offset >= 0);
    CHECK(fit.offset <= 6.0 * kUs);
    CHECK(fit_clocks(pairs, TraceClock::Ticks).slope > 1.0007);
  }
  SECTION("a long trace whose pairs all come early: the window's end stays where it is") {
    // g5 leaks at 8 ms; the trace ends 60 s in; the program goes on and the capture sees g5
    // woken 20 ms after the trace's last event. A slope fitted on the first 9 ms (1.00075) put
    // the window's end 45 ms late, and that wake-up inside it.
    auto trace = story(0);
    trace.back().time = 60'000 * kMs;
    auto cap = trace;
    for (auto& e : cap) {
      if (e.type == EventType::GoDestroy) e.time += 6 * kUs;
    }
    push(cap, ev(EventType::GoUnblock, 60'020 * kMs, 1, {5, 0, 0, 0}));
    auto rep = crosscheck(trace, cap, Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.agree());
    // A Go 1.21 trace counts CPU ticks: its slope is fitted, and this capture differs from it.
    CHECK_FALSE(crosscheck(trace, cap, Version::Go1_21).agree());
  }
}

TEST_CASE("a capture of another run is inconclusive, not a disagreement") {
  SECTION("a deterministic program's other run agrees, and proves nothing") {
    auto rep = crosscheck(story(0), story(42'000 * kMs), Version::Go1_26);
    CHECK(rep.agree());
    CHECK(rep.verdict() == Verdict::Inconclusive);
    CHECK(report::crosscheck_text(rep).find("INCONCLUSIVE") != std::string::npos);
  }
  SECTION("the pairs' clocks 42 s apart") {
    auto rep = crosscheck(story(0), story(42'000 * kMs, kForever), Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.verdict() == Verdict::Inconclusive);
    CHECK(rep.other_run.find("42.000 s after the trace") != std::string::npos);
    const std::string text = report::crosscheck_text(rep);
    CHECK(text.find("differ (not one run)") != std::string::npos);
    CHECK(text.find("crosscheck: INCONCLUSIVE: the capture times") != std::string::npos);
    CHECK(text.find("(give the trace and the capture of one run)") != std::string::npos);
    CHECK(text.find("DIFFER") == std::string::npos);
    CHECK(report::crosscheck_json(rep).find("\"other_run\": \"the capture times") != std::string::npos);
  }
  SECTION("no pairs, and no overlap in time") {
    auto no_pairs = [](std::vector<Event> v) {
      std::erase_if(v, [](const Event& e) { return e.type == EventType::GoCreate || e.type == EventType::GoDestroy; });
      return v;
    };
    auto rep = crosscheck(no_pairs(story(0)), no_pairs(story(3'000 * kMs)), Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK_FALSE(rep.agree());
    CHECK(rep.verdict() == Verdict::Inconclusive);
    CHECK(rep.other_run.find("do not overlap") != std::string::npos);
    // The same, in time: one clock, no need to align anything.
    CHECK(crosscheck(no_pairs(story(0)), no_pairs(story(0)), Version::Go1_26).agree());
  }
  SECTION("one run's differences still differ; a tick clock's offset says nothing") {
    CHECK(crosscheck(story(0), story(5 * kMs, kForever), Version::Go1_26).verdict() == Verdict::Differ);
    const auto old = crosscheck(story(0), story(42'000 * kMs, kForever), Version::Go1_21);
    CHECK(old.verdict() == Verdict::Differ);
    CHECK(report::crosscheck_json(old).find("\"other_run\": null") != std::string::npos);
  }
}

TEST_CASE("a trace with no goroutine is inconclusive, not a disagreement nor another run") {
  // A trace of its header alone reads as one Sync event at time 0: neither a difference (the
  // capture's goroutines are not missing from a run that traced nothing) nor a clock apart.
  for (const auto& trace : {std::vector<Event>{}, std::vector<Event>{ev(EventType::Sync, 0, kNoGoroutine)}}) {
    const auto rep = crosscheck(trace, story(42'000 * kMs), Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.verdict() == Verdict::Inconclusive);
    CHECK_FALSE(rep.agree());  // nothing compared is not agreement
    CHECK(rep.other_run.empty());
    CHECK(rep.empty_trace.find("no goroutine: nothing to compare") != std::string::npos);
    CHECK(report::crosscheck_text(rep).find("crosscheck: INCONCLUSIVE: the trace holds") != std::string::npos);
    CHECK(report::crosscheck_json(rep).find("\"empty_trace\": \"the trace holds") != std::string::npos);
  }
  CHECK(report::crosscheck_json(crosscheck(story(0), story(0), Version::Go1_26)).find("\"empty_trace\": null") !=
        std::string::npos);
}

TEST_CASE("Go 1.21's in-syscall status of the cgo extra M's g is not a missing goroutine") {
  // Go 1.21's tracer writes the extra M's dead g as in a syscall at the trace's start; the g
  // never changes status, so the capture has no such goroutine.
  auto trace = story(0);
  const std::uint64_t in_syscall = (std::uint64_t{static_cast<std::uint8_t>(GoState::Undetermined)} << 32) | 3;
  push(trace, ev(EventType::GoStatus, 10 * kUs, kNoGoroutine, {17, 0, in_syscall, 0}));
  auto old_rep = crosscheck(trace, story(0), Version::Go1_21);
  INFO(report::crosscheck_text(old_rep));
  CHECK(old_rep.agree());
  CHECK(report::crosscheck_text(old_rep).find("extra M") != std::string::npos);
  // The new tracer has no such status: there it is a real difference.
  auto new_rep = crosscheck(trace, story(0), Version::Go1_26);
  CHECK_FALSE(item(new_rep, "goroutines").ok());
}

TEST_CASE("a Go 1.22+ trace's closing status events restate states and do not extend the window") {
  // trace.Stop ends the trace with a generation of status events and the reader's Sync, 20 ms
  // after the tracer's last change; g5 (a leak, blocked on a chan receive) is restated there,
  // without its reason. The capture sees g5 woken 5 ms after that last change: after the window.
  auto trace = story(0);
  const std::uint64_t waiting_again = (std::uint64_t{static_cast<std::uint8_t>(GoState::Waiting)} << 32) | 4;
  push(trace, ev(EventType::GoStatus, 31 * kMs, kNoGoroutine, {5, 0, waiting_again, 0}));
  push(trace, ev(EventType::Sync, 31 * kMs + 1, kNoGoroutine));
  auto capture = story(0);
  push(capture, ev(EventType::GoUnblock, 16 * kMs, 1, {5, 0, 0, 0}));
  auto rep = crosscheck(trace, capture, Version::Go1_26);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(item(rep, "final states").agreed == item(rep, "final states").compared);
  CHECK(item(rep, "leak candidates").agreed == 1);
}

TEST_CASE("a goroutine blocked from before the trace to its end is not compared as a leak candidate") {
  // The trace knows g7 only from its status at the start, which has no wait reason, so its
  // analysis cannot call it a leak; the capture saw it block on a chan receive before the window.
  auto trace = story(0);
  const std::uint64_t waiting = (std::uint64_t{static_cast<std::uint8_t>(GoState::Undetermined)} << 32) | 4;
  push(trace, ev(EventType::GoStatus, 500 * kUs, kNoGoroutine, {7, 0, waiting, 0}));
  auto capture = story(0);
  push(capture, ev(EventType::GoCreate, 100 * kUs, 1, {7, kUserStack, 0, 0}));
  push(capture, ev(EventType::GoStart, 150 * kUs, kNoGoroutine, {7, 0, 0, 0}));
  push(capture, ev(EventType::GoBlock, 200 * kUs, 7, {kChanRecv, 0, 0, 0}));
  auto rep = crosscheck(trace, capture, Version::Go1_26, {.gc_leaked = {5, 7}});
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(item(rep, "leak candidates").compared == 1);  // g5; g7 is left out, with a note
  CHECK(item(rep, "GC-proven leaks").compared == 1);
  CHECK(report::crosscheck_text(rep).find("1 leak candidate(s) of the capture waited from before the trace") !=
        std::string::npos);
}

TEST_CASE("a leak candidate whose final state agrees within the edge tolerance agrees") {
  // g5 blocks again 0.1 ms before the trace's last change and is woken 0.5 ms after it: the
  // trace ends with it blocked, while the capture has it running at both ends of the tolerance.
  auto trace = story(0);
  push(trace, ev(EventType::GoUnblock, 9500 * kUs, 1, {5, 0, 0, 0}));
  push(trace, ev(EventType::GoStart, 9600 * kUs, kNoGoroutine, {5, 0, 0, 0}));
  push(trace, ev(EventType::GoBlock, 10900 * kUs, 5, {kChanRecv, 0, 0, 0}));
  auto capture = trace;
  push(capture, ev(EventType::GoUnblock, 11500 * kUs, 1, {5, 0, 0, 0}));
  push(capture, ev(EventType::GoStart, 11600 * kUs, kNoGoroutine, {5, 0, 0, 0}));
  auto rep = crosscheck(trace, capture, Version::Go1_26);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(item(rep, "leak candidates").agreed == 1);
}

TEST_CASE("coroutine switches, which only the trace records, are left out; coroutines compare by origin") {
  // g1 starts a coroutine g8 (iter.Pull) and they switch back and forth: the trace shows g1
  // blocking and g8 running, the capture neither (no casgstatus).
  auto trace = story(0);
  push(trace, ev(EventType::GoCreateBlocked, 1200 * kUs, 1, {8, kUserStack, 0, 0}));
  push(trace, ev(EventType::GoSwitch, 1300 * kUs, 1, {8, 0, 0, 0}));
  push(trace, ev(EventType::GoBlock, 1300 * kUs + 1, 1));
  push(trace, ev(EventType::GoStart, 1300 * kUs + 2, kNoGoroutine, {8, 0, 0, 0}));
  push(trace, ev(EventType::GoSwitch, 1400 * kUs, 8, {1, 0, 0, 0}));
  push(trace, ev(EventType::GoBlock, 1400 * kUs + 1, 8));
  push(trace, ev(EventType::GoStart, 1400 * kUs + 2, kNoGoroutine, {1, 0, 0, 0}));
  auto capture = story(0);
  push(capture, ev(EventType::GoCreateBlocked, 1200 * kUs, 1, {8, kUserStack, 0, 0}));
  auto rep = crosscheck(trace, capture, Version::Go1_26);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(item(rep, "start functions").agreed == item(rep, "start functions").compared);
  CHECK(report::crosscheck_text(rep).find("1 coroutine(s) (iter.Pull)") != std::string::npos);

  // Only the trace says what is a coroutine: a capture's creation of a blocked goroutine does not
  // excuse its creator's missing syscall (a tampered capture agreed).
  trace = story(0);
  push(trace, ev(EventType::GoCreate, 5500 * kUs, 5, {7, kUserStack, 0, 0}));
  capture = story(0);
  std::erase_if(
      capture, [](const Event& e) { return e.type == EventType::GoSyscallBegin || e.type == EventType::GoSyscallEnd; });
  push(capture, ev(EventType::GoCreateBlocked, 5500 * kUs, 5, {7, kUserStack, 0, 0}));
  CHECK_FALSE(item(crosscheck(trace, capture, Version::Go1_26), "blocks, syscalls and exit").ok());
}

TEST_CASE("a goroutine created and never run may be one the capture could not name (Go < 1.24)") {
  // g12 is created just before the trace stops and never runs; a capture before Go 1.24 learns a
  // goroutine's id from its next change, so it has one goroutine it cannot name instead.
  auto trace = story(0);
  push(trace, ev(EventType::GoCreate, 10900 * kUs, 1, {12, kUserStack, 0, 0}));
  const auto capture = story(0);
  auto rep = crosscheck(trace, capture, Version::Go1_23, {.unnamed_creations = {10900 * kUs + 20}});
  INFO(report::crosscheck_text(rep));
  CHECK(rep.agree());
  CHECK(report::crosscheck_text(rep).find("1 goroutine(s) created in the trace and never run") != std::string::npos);
  // Without such a goroutine in the capture, or with one created at another time, it is a difference.
  CHECK_FALSE(item(crosscheck(trace, capture, Version::Go1_23), "goroutines").ok());
  CHECK_FALSE(item(crosscheck(trace, capture, Version::Go1_23, {.unnamed_creations = {3 * kMs}}), "goroutines").ok());
}

TEST_CASE("old-format traces: a capture whose events keep another pace is of another run") {
  // Go <= 1.21 traces time with CPU ticks: the fit has a slope, which one run's two sides keep
  // at 1. Two runs paired event by event do not (the tester saw 1.19).
  const auto trace = many_creations();
  auto cap = trace;
  for (auto& e : cap) e.time = e.time * 6 / 5 + 3 * kMs;
  auto rep = crosscheck(trace, cap, Version::Go1_21);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.verdict() == Verdict::Inconclusive);
  CHECK(rep.other_run.find("keep different paces") != std::string::npos);
  // The same run, merely offset, agrees.
  for (auto& e : cap) e.time = (e.time - 3 * kMs) * 5 / 6 + 7 * kMs;
  CHECK(crosscheck(trace, cap, Version::Go1_21).verdict() == Verdict::Agree);
}

TEST_CASE("a capture that covers only part of the trace's window is inconclusive, not a disagreement") {
  // collect attached with --pid 5 ms into the trace: it never saw g5's early blocks.
  auto late = story(0);
  std::erase_if(late, [](const Event& e) { return e.time < 5 * kMs; });
  auto rep = crosscheck(story(0), late, Version::Go1_26);
  INFO(report::crosscheck_text(rep));
  CHECK(rep.verdict() == Verdict::Inconclusive);
  CHECK(rep.capture_gap.find("it begins 4.000 ms after the trace") != std::string::npos);
  // collect stopped 3 ms before the trace did.
  auto early = story(0);
  std::erase_if(early, [](const Event& e) { return e.time > 8 * kMs; });
  rep = crosscheck(story(0), early, Version::Go1_26);
  CHECK(rep.verdict() == Verdict::Inconclusive);
  CHECK(rep.capture_gap.find("it ends 3.000 ms before the trace") != std::string::npos);
}

TEST_CASE("Go 1.22+: what a thread did after its last change in the trace is not held against it, and only that") {
  // story(0) on thread 100, whose last change is at 11 ms; thread 200 straggles on to 15 ms.
  const auto on = [](ThreadId m, Event e) {
    e.m = m;
    return e;
  };
  std::vector<Event> trace;
  for (const Event& e : story(0)) trace.push_back(on(100, e));
  trace.push_back(on(200, ev(EventType::GoCreate, 15 * kMs, 1, {30, kUserStack, 0, 0})));
  std::vector<Event> capture = trace;
  push(capture, on(200, ev(EventType::GoCreate, 15 * kMs, 1, {30, kUserStack, 0, 0})));
  capture.pop_back();  // the same events: thread 200's creation once
  CHECK(crosscheck(trace, capture, Version::Go1_26).verdict() == Verdict::Agree);

  SECTION("a creation by a thread that had stopped recording is left out, with a note") {
    push(capture, on(100, ev(EventType::GoCreate, 12 * kMs, 1, {40, kUserStack, 0, 0})));
    const auto rep = crosscheck(trace, capture, Version::Go1_26);
    INFO(report::crosscheck_text(rep));
    CHECK(rep.verdict() == Verdict::Agree);
    CHECK(std::any_of(rep.notes.begin(), rep.notes.end(),
                      [](const std::string& n) { return n.starts_with("1 goroutine(s) the capture saw created by"); }));
  }
  SECTION("a creation by a thread still recording is a difference") {
    push(capture, on(200, ev(EventType::GoCreate, 12 * kMs, 1, {41, kUserStack, 0, 0})));
    const auto rep = crosscheck(trace, capture, Version::Go1_26);
    CHECK(rep.verdict() == Verdict::Differ);
    CHECK_FALSE(item(rep, "goroutines").ok());
  }
  SECTION("a thread that went quiet long before the end did not stop with the trace") {
    // Thread 300 creates g50, which blocks at 1 ms: its last change. The capture sees g50 freed
    // and blocked again at 6 ms, which the trace (recording to 11 ms) lacks.
    for (Event e : {on(300, ev(EventType::GoCreate, 500 * kUs, 1, {50, kUserStack, 0, 0})),
                    on(300, ev(EventType::GoStart, 600 * kUs, kNoGoroutine, {50, 0, 0, 0})),
                    on(300, ev(EventType::GoBlock, 1 * kMs, 50, {kChanSend, 0, 0, 0}))}) {
      push(trace, e);
      push(capture, e);
    }
    push(capture, on(300, ev(EventType::GoUnblock, 6 * kMs, 1, {50, 0, 0, 0})));
    push(capture, on(300, ev(EventType::GoStart, 6100 * kUs, kNoGoroutine, {50, 0, 0, 0})));
    push(capture, on(300, ev(EventType::GoBlock, 6200 * kUs, 50, {kChanSend, 0, 0, 0})));
    const auto rep = crosscheck(trace, capture, Version::Go1_26);
    CHECK(rep.verdict() == Verdict::Differ);
    CHECK_FALSE(item(rep, "blocks, syscalls and exit").ok());
  }
  SECTION("a step of a thread still recording, well inside the window, is a difference") {
    push(capture, on(100, ev(EventType::GoStart, 8200 * kUs, kNoGoroutine, {5, 0, 0, 0})));
    push(capture, on(100, ev(EventType::GoBlock, 8300 * kUs, 5, {kSleep, 0, 0, 0})));
    const auto rep = crosscheck(trace, capture, Version::Go1_26);
    CHECK(rep.verdict() == Verdict::Differ);
    CHECK_FALSE(item(rep, "blocks, syscalls and exit").ok());
  }
}
