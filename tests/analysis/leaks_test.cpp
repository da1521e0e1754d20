// Leak detection in isolation: which goroutines are candidates, and how candidates group and rank.
#include <catch2/catch_test_macros.hpp>

#include "analysis/leaks.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

GoroutineSummary waiting(GoId id, std::string name, std::string reason, Time since) {
  GoroutineSummary g;
  g.id = id;
  g.name = std::move(name);
  g.final_state = GoState::Waiting;
  g.final_reason = std::move(reason);
  g.final_time = since;
  return g;
}

LeakCandidate candidate(GoId id, std::string reason, Duration blocked, std::uint32_t create_stack,
                        std::uint32_t block_stack = 1) {
  return LeakCandidate{id, "main.worker", std::move(reason), blocked, create_stack, block_stack, {}};
}

}  // namespace

TEST_CASE("a candidate waits at the end for something only another goroutine provides") {
  const LeakFilter filter{LeakOptions{}};
  for (const char* reason : {"chan receive", "chan send", "select", "sync", "sync.(*Cond).Wait", "forever"}) {
    INFO(reason);
    CHECK(filter.is_candidate(waiting(5, "main.worker", reason, 100), 1000));
  }
  // Waits that end by themselves, or that the runtime ends.
  for (const char* reason : {"sleep", "network", "system goroutine wait", "GC mark assist wait for work", ""}) {
    INFO(reason);
    CHECK_FALSE(filter.is_candidate(waiting(5, "main.worker", reason, 100), 1000));
  }
  GoroutineSummary running = waiting(5, "main.worker", "chan receive", 100);
  running.final_state = GoState::Runnable;
  CHECK_FALSE(filter.is_candidate(running, 1000));
}

TEST_CASE(
    "the runtime's and the tracer's goroutines are ignored by default; more patterns and a minimum wait narrow "
    "further") {
  const LeakFilter defaults{LeakOptions{}};
  CHECK_FALSE(defaults.is_candidate(waiting(2, "runtime.forcegchelper", "forever", 0), 1000));
  CHECK_FALSE(defaults.is_candidate(waiting(3, "runtime/trace.Start.func1", "chan receive", 0), 1000));
  CHECK(defaults.is_candidate(waiting(4, "main.runtimeish", "chan receive", 0), 1000));

  LeakOptions options;
  options.ignore.push_back("^main\\.pool");
  options.min_blocked = 500;
  const LeakFilter narrow{options};
  CHECK_FALSE(narrow.is_candidate(waiting(6, "main.pool.func1", "select", 0), 1000));
  CHECK(narrow.is_candidate(waiting(7, "main.worker", "select", 500), 1000));        // blocked exactly 500
  CHECK_FALSE(narrow.is_candidate(waiting(8, "main.worker", "select", 501), 1000));  // 499
}

TEST_CASE("candidates group by reason, creation stack and block stack, the largest count x shortest wait first") {
  const std::vector<LeakCandidate> candidates = {
      candidate(10, "chan receive", 300, 7), candidate(11, "chan receive", 100, 7),
      candidate(12, "chan receive", 200, 7), candidate(20, "select", 1000, 7),  // another reason: another group
      candidate(30, "chan receive", 900, 8),                                    // another creation site
      candidate(31, "chan receive", 900, 8),
  };
  const auto groups = group_leaks(candidates);
  REQUIRE(groups.size() == 3);
  // Weights: 2 × 900 = 1800, 1 × 1000 = 1000, 3 × 100 = 300.
  CHECK(groups[0].ids == std::vector<GoId>{30, 31});
  CHECK(groups[0].create_stack == 8);
  CHECK(groups[1].ids == std::vector<GoId>{20});
  CHECK(groups[2].ids == std::vector<GoId>{10, 11, 12});
  CHECK(groups[2].count == 3);
  CHECK(groups[2].min_blocked == 100);
  CHECK(groups[2].max_blocked == 300);
  CHECK(groups[2].reason == "chan receive");
}

TEST_CASE("equal weights rank by the first id, and a weight past int64 does not wrap") {
  const auto tied = group_leaks({candidate(9, "select", 10, 1), candidate(4, "sync", 10, 1)});
  REQUIRE(tied.size() == 2);
  CHECK(tied[0].ids.front() == 4);
  const Duration huge = INT64_MAX / 2 + 1;
  const auto groups = group_leaks(
      {candidate(1, "forever", huge, 1), candidate(2, "forever", huge, 1), candidate(3, "select", INT64_MAX - 1, 2)});
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].ids == std::vector<GoId>{1, 2});  // 2 × huge saturates at INT64_MAX, above INT64_MAX - 1
}
