// The text summary: the same text whether the goroutines stay in the Summary or go to a
// GoroutineDigest while the summary is made (as `gtanalyze TRACE` does).
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>
#include <vector>

#include "report/text.hpp"
#include "support/analyse.hpp"

namespace fs = std::filesystem;
using namespace gtanalyze;

TEST_CASE("the text summary from a digest of the goroutines equals the one from the whole summary") {
  std::size_t traces = 0, with_regions = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / "tests/golden/json")) {
    if (entry.path().extension() != ".json") continue;
    const fs::path trace = test::trace_of_json_golden(entry.path());
    const report::TraceInfo info{trace.filename().string(), "none", 1, 1};
    const Summary whole = test::analyse(trace);
    report::GoroutineDigest digest;
    const Summary streamed = test::analyse(trace, {}, {}, &digest);
    CHECK(streamed.goroutines.empty());
    CHECK(streamed.goroutine_count() == whole.goroutine_count());
    CHECK(streamed.goroutines_streamed == whole.goroutines.size());
    INFO(trace.string());
    CHECK(report::to_text(streamed, digest, info) == report::to_text(whole, info));
    // The digest's lists, against sorting every goroutine and region.
    std::vector<std::pair<Duration, GoId>> exec;
    std::vector<Duration> regions;
    for (const GoroutineSummary& g : whole.goroutines) {
      if (g.exec > 0) exec.emplace_back(-g.exec, g.id);
      for (const RegionSummary& r : g.regions)
        if (r.complete() && !r.name.empty()) regions.push_back(r.duration(whole.first, whole.last));
    }
    std::sort(exec.begin(), exec.end());
    std::sort(regions.rbegin(), regions.rend());
    REQUIRE(digest.by_exec.size() == std::min<std::size_t>(exec.size(), 5));
    for (std::size_t i = 0; i < digest.by_exec.size(); i++) CHECK(digest.by_exec[i].id == exec[i].second);
    REQUIRE(digest.slowest_regions.size() == std::min<std::size_t>(regions.size(), 3));
    for (std::size_t i = 0; i < digest.slowest_regions.size(); i++)
      CHECK(digest.slowest_regions[i].duration == regions[i]);
    traces++;
    with_regions += digest.slowest_regions.empty() ? 0 : 1;
  }
  CHECK(traces > 40);
  CHECK(with_regions > 0);  // the slowest regions were compared somewhere
}

TEST_CASE("fit shortens from the left, never inside a character") {
  using report::fit;
  CHECK(fit("", 10) == "(unknown)");
  CHECK(fit("main.main", 10) == "main.main");
  CHECK(fit("net/http.(*conn).serve", 10) == "…nn).serve");
  // "☃" is 3 bytes: a cut that would split it starts after it.
  CHECK(fit("aaaa☃bbbb", 6) == "…bbbb");
  CHECK(fit("a\nb", 10) == "a\\nb");
}

TEST_CASE("human_duration keeps three digits and never writes an exponent") {
  using report::human_duration;
  CHECK(human_duration(0) == "0ns");
  CHECK(human_duration(999) == "999ns");
  CHECK(human_duration(1'234) == "1.23µs");
  CHECK(human_duration(999'499) == "999µs");
  // Values that round up to 1000 of a unit take the next unit.
  CHECK(human_duration(999'700) == "1ms");
  CHECK(human_duration(999'941'759) == "1s");
  CHECK(human_duration(-999'941'759) == "-1s");
  CHECK(human_duration(123'456'789'012) == "123s");
  // Past 1000 s, minutes and seconds, then hours and minutes.
  CHECK(human_duration(999'600'000'000) == "16m40s");
  CHECK(human_duration(3'599'400'000'000) == "59m59s");
  CHECK(human_duration(3'600'000'000'000) == "1h0m");
  CHECK(human_duration(7'816'178'000'000'000) == "2171h10m");
  CHECK(human_duration(-7'816'178'000'000'000) == "-2171h10m");
  CHECK(human_duration(std::numeric_limits<Duration>::max()) == "2562047h47m");
}

TEST_CASE("the text summary folds leak groups past --top into one line, never a single one") {
  // leaky.trace: 6 leak groups of 4, 3, 2, 2, 2 and 1 goroutines.
  const Summary s = test::analyse(test::source_dir() / "corpus/go1.26/leaky.trace");
  REQUIRE(s.leak_groups.size() == 6);
  const report::TraceInfo info{"leaky.trace", "none", 1, 1};
  const auto groups_shown = [](const std::string& text) {
    std::size_t n = 0;
    for (std::size_t at = text.find("\n      goroutines "); at != std::string::npos;
         at = text.find("\n      goroutines ", at + 1))
      n++;
    return n;
  };
  const std::string two = report::to_text(s, info, {.top = 2});
  CHECK(groups_shown(two) == 2);
  CHECK(two.find("  (4 more groups, 7 goroutines: --top shows more, --json lists every one)\n") != std::string::npos);
  // One group past --top is shown rather than folded.
  const std::string five = report::to_text(s, info, {.top = 5});
  CHECK(groups_shown(five) == 6);
  CHECK(five.find("more groups, ") == std::string::npos);
  CHECK(groups_shown(report::to_text(s, info)) == 6);
}

TEST_CASE("annotations list a table only for names that have rows: tasks without regions get no region table") {
  Summary s;
  s.first = 0;
  s.last = 100;
  TaskSummary t;
  t.id = 1;
  t.name = "mainTask";
  s.tasks.push_back(t);
  s.task_stats["mainTask"] = SpanStats{1, 0, 0, 0, 0, 0};
  const std::string text = report::to_text(s, report::TraceInfo{"t", "none", 1, 1}, {});
  INFO(text);
  CHECK(text.find("User annotations: 1 task, 0 regions") != std::string::npos);
  CHECK(text.find("  mainTask ") != std::string::npos);
  CHECK(text.find("  region ") == std::string::npos);
}
