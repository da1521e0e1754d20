// Leak proofs matched with leak candidates, on summaries built by hand: which candidates a
// goroutineleak profile or a capture proves, the k-of-n cases, and proofs that match nothing.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "analysis/leak_proof.hpp"
#include "analysis/leaks.hpp"

using namespace gtanalyze;
using Catch::Matchers::ContainsSubstring;
using namespace gtanalyze::analysis;

namespace {

// Stacks as the trace has them (the tracer leaves out runtime.gopark and its callees) and as a
// goroutineleak profile has them (with those frames on top).
const StackInfo kRecvTrace = {{"runtime.chanrecv1", "runtime/chan.go", 509}, {"main.recvOn", "./main.go", 106}};
const StackInfo kRecvProfile = {{"runtime.gopark", "runtime/proc.go", 462},
                                {"runtime.chanrecv", "runtime/chan.go", 667},
                                {"runtime.chanrecv1", "runtime/chan.go", 509},
                                {"main.recvOn", "./main.go", 106}};
const StackInfo kLockTrace = {{"sync.(*Mutex).Lock", "sync/mutex.go", 46}, {"main.lockOn", "./main.go", 166}};
const StackInfo kLockProfile = {{"runtime.gopark", "runtime/proc.go", 462},
                                {"runtime.goparkunlock", "runtime/proc.go", 468},
                                {"runtime.semacquire1", "runtime/sema.go", 192},
                                {"internal/sync.runtime_SemacquireMutex", "runtime/sema.go", 95},
                                {"internal/sync.(*Mutex).lockSlow", "internal/sync/mutex.go", 149},
                                {"internal/sync.(*Mutex).Lock", "internal/sync/mutex.go", 70},
                                {"sync.(*Mutex).Lock", "sync/mutex.go", 46},
                                {"main.lockOn", "./main.go", 166}};
const StackInfo kCreate1 = {{"main.start1", "./main.go", 10}};
const StackInfo kCreate2 = {{"main.start2", "./main.go", 20}};

// A summary with the candidates given as (id, create stack, block stack), stacks interned as the
// Summarizer does ([0] empty), and their groups.
struct Blocked {
  GoId id;
  const StackInfo* create;
  const StackInfo* block;
};

Summary summary_of(std::initializer_list<Blocked> blocked) {
  Summary s;
  s.stacks = {{}};
  auto index = [&s](const StackInfo* st) {
    if (st == nullptr) return std::uint32_t{0};
    for (std::uint32_t i = 0; i < s.stacks.size(); i++)
      if (s.stacks[i] == *st) return i;
    s.stacks.push_back(*st);
    return static_cast<std::uint32_t>(s.stacks.size() - 1);
  };
  for (const Blocked& b : blocked)
    s.leak_candidates.push_back({b.id, "main.x", "chan receive", 1000, index(b.create), index(b.block), {}});
  s.leak_groups = group_leaks(s.leak_candidates);
  return s;
}

std::optional<bool> proven(const Summary& s, GoId id) {
  for (const LeakCandidate& c : s.leak_candidates)
    if (c.id == id) return c.proven;
  FAIL("no candidate " << id);
  return std::nullopt;
}

const LeakGroup& group_with(const Summary& s, GoId id) {
  for (const LeakGroup& g : s.leak_groups)
    if (std::find(g.ids.begin(), g.ids.end(), id) != g.ids.end()) return g;
  FAIL("no group with " << id);
  return s.leak_groups.front();
}

}  // namespace

TEST_CASE("a profile proves the candidates at its stacks, through the runtime frames on top, and no others") {
  Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, &kRecvTrace}, {3, &kCreate2, &kLockTrace}});
  prove_leaks(s, LeakProfile{{{kRecvProfile, 2}}});
  CHECK(s.leak_proof == LeakProof::Profile);
  CHECK(proven(s, 1) == true);
  CHECK(proven(s, 2) == true);
  CHECK(proven(s, 3) == false);  // a proof was given, and does not name it
  CHECK(group_with(s, 1).proven == 2u);
  CHECK_FALSE(group_with(s, 1).undecided);
  CHECK(group_with(s, 3).proven == 0u);
  CHECK(s.warnings.empty());

  Summary lock = summary_of({{3, &kCreate2, &kLockTrace}});
  prove_leaks(lock, LeakProfile{{{kLockProfile, 1}}});  // six frames skipped, inlined ones among them
  CHECK(proven(lock, 3) == true);
}

TEST_CASE("only runtime frames are skipped: a user frame on top is another block site") {
  // A candidate whose block stack is only its own frame, and a profile stack that has it below a
  // user frame (recvOn → helper → chanrecv1): not the same block.
  const StackInfo own_frame = {kRecvTrace.back()};
  Summary s = summary_of({{1, &kCreate1, &own_frame}});
  StackInfo deeper = kRecvProfile;
  deeper.insert(deeper.end() - 1, FrameInfo{"main.helper", "./main.go", 50});
  prove_leaks(s, LeakProfile{{{deeper, 1}}});
  CHECK_FALSE(proven(s, 1).has_value());  // matches nothing: another run's profile, nothing proven
  Summary direct = summary_of({{1, &kCreate1, &own_frame}});
  prove_leaks(direct, LeakProfile{{{kRecvProfile, 1}}});  // runtime frames only above it: the same block
  CHECK(proven(direct, 1) == true);
  StackInfo other_line = kRecvProfile;
  other_line.back().line = 107;
  Summary t = summary_of({{1, &kCreate1, &kRecvTrace}});
  prove_leaks(t, LeakProfile{{{other_line, 1}}});
  CHECK_FALSE(proven(t, 1).has_value());
}

TEST_CASE("fewer in the profile than candidates at a stack: k of n, each undecided") {
  SECTION("one group holds the stack: its count is known") {
    Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, &kRecvTrace}, {3, &kCreate1, &kRecvTrace}});
    prove_leaks(s, LeakProfile{{{kRecvProfile, 2}}});
    for (GoId id : {1, 2, 3}) CHECK_FALSE(proven(s, id).has_value());
    const LeakGroup& g = group_with(s, 1);
    CHECK(g.undecided == UndecidedProof{2, 3});
    CHECK(g.proven == 2u);
  }
  SECTION("two groups share the stack: neither's count is known") {
    Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate2, &kRecvTrace}});
    prove_leaks(s, LeakProfile{{{kRecvProfile, 1}}});
    REQUIRE(s.leak_groups.size() == 2);
    for (const LeakGroup& g : s.leak_groups) {
      CHECK(g.undecided == UndecidedProof{1, 2});
      CHECK_FALSE(g.proven.has_value());
    }
    CHECK_FALSE(proven(s, 1).has_value());
  }
  SECTION("two samples at one trace stack add up") {
    Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, &kRecvTrace}});
    StackInfo nil_chan = kRecvProfile;
    nil_chan[1].line = 536;  // another line in runtime.chanrecv: the same stack for the tracer
    prove_leaks(s, LeakProfile{{{kRecvProfile, 1}, {nil_chan, 1}}});
    CHECK(proven(s, 1) == true);
    CHECK(proven(s, 2) == true);
  }
}

TEST_CASE("what the profile lists beyond the candidates is a warning, not a proof") {
  Summary s = summary_of({{1, &kCreate1, &kRecvTrace}});
  prove_leaks(s, LeakProfile{{{kRecvProfile, 3}, {kLockProfile, 1}}});
  CHECK(proven(s, 1) == true);
  REQUIRE(s.warnings.size() == 1);
  CHECK_THAT(s.warnings[0], ContainsSubstring("lists 3 leaked goroutine(s) that are no leak candidate"));
}

TEST_CASE("an empty profile disproves every candidate; a candidate without a block stack stays undecided") {
  Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, nullptr}});
  prove_leaks(s, LeakProfile{});
  CHECK(proven(s, 1) == false);
  CHECK_FALSE(proven(s, 2).has_value());
  CHECK(s.warnings.empty());
}

// A capture of a Go 1.26 program whose records span [first, last].
CaptureLeaks capture_of(std::vector<GoId> leaked, Time first = 0, Time last = 0) {
  return CaptureLeaks{std::move(leaked), 26, Version::Go1_26, first, last};
}

TEST_CASE("a capture proves the goroutines it saw marked leaked") {
  Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, &kRecvTrace}, {3, &kCreate2, &kLockTrace}});
  prove_leaks(s, capture_of({2, 3, 40}));
  CHECK(s.leak_proof == LeakProof::Capture);
  CHECK(proven(s, 1) == false);
  CHECK(proven(s, 2) == true);
  CHECK(proven(s, 3) == true);
  CHECK(group_with(s, 1).proven == 1u);  // one of the two: a capture knows which
  CHECK_FALSE(group_with(s, 1).undecided);
  REQUIRE(s.warnings.size() == 1);
  CHECK_THAT(s.warnings[0], ContainsSubstring("1 goroutine(s) marked leaked that are no leak candidate"));

  Summary none = summary_of({{1, &kCreate1, &kRecvTrace}});
  prove_leaks(none, capture_of({}));
  CHECK_FALSE(proven(none, 1).has_value());
  CHECK_FALSE(none.leak_groups[0].proven.has_value());
  REQUIRE(none.warnings.size() == 1);
  CHECK_THAT(none.warnings[0], ContainsSubstring("no leak-detecting GC ran"));
}

TEST_CASE("a capture of another run proves nothing: goroutine ids repeat from run to run") {
  auto trace = [] {
    Summary s = summary_of({{1, &kCreate1, &kRecvTrace}, {2, &kCreate1, &kRecvTrace}});
    s.events = 100;
    s.first = 1'000'000'000;
    s.last = 2'000'000'000;
    return s;
  };
  SECTION("at another time (Go 1.22+: one clock)") {
    Summary s = trace();
    prove_leaks(s, capture_of({1, 2}, 5'000'000'000, 6'000'000'000));
    CHECK(s.leak_proof == LeakProof::Capture);
    CHECK_FALSE(proven(s, 1).has_value());
    CHECK_FALSE(proven(s, 2).has_value());
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], ContainsSubstring("do not overlap: not the same run (nothing is proven)"));
  }
  SECTION("of another Go version") {
    Summary s = trace();
    CaptureLeaks c = capture_of({1, 2}, 1'500'000'000, 1'600'000'000);
    c.go_minor = 24;
    c.version = Version::Go1_23;
    prove_leaks(s, c);
    CHECK_FALSE(proven(s, 1).has_value());
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(s.warnings[0], ContainsSubstring("a Go 1.24 program, whose traces are Go 1.23's format, not Go 1.26's"));
  }
  SECTION("the same run: overlapping, or a few milliseconds apart at the edges") {
    Summary s = trace();
    prove_leaks(s, capture_of({1}, 2'005'000'000, 2'100'000'000));
    CHECK(proven(s, 1) == true);
    CHECK(proven(s, 2) == false);
    CHECK(s.warnings.empty());
  }
}
