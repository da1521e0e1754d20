// The region listener (the hook for a timeline or a per-region profile) sees every region the
// summary keeps, as it opens and closes: each close matches the innermost open region of its
// goroutine, and the kept ones are exactly the goroutines' regions in the summary.
#include <catch2/catch_test_macros.hpp>

#include <map>
#include <string>
#include <vector>

#include "analysis/summarizer.hpp"
#include "analysis/user_tasks.hpp"
#include "support/analyse.hpp"

using namespace gtanalyze;

namespace {

struct Recorder final : analysis::RegionListener {
  struct Open {
    std::string name;
    TaskId task;
    Time begin;
  };
  const analysis::Summarizer* summarizer = nullptr;
  std::map<GoId, std::vector<Open>> open;
  std::size_t opened = 0, kept = 0, dropped = 0, unmatched = 0, unknown_tasks = 0;
  Duration kept_total = 0;

  void region_opened(GoId g, std::string_view name, TaskId task, Time begin) override {
    open[g].push_back({std::string(name), task, begin});
    opened++;
    if (summarizer->tasks().find(task) == nullptr) unknown_tasks++;  // a region's task exists by then
  }
  void region_closed(GoId g, const RegionSummary& r, bool was_kept) override {
    std::vector<Open>& stack = open[g];
    if (r.start) {  // it was opened: it is the innermost one
      if (stack.empty() || stack.back().begin != *r.start || stack.back().name != r.name ||
          stack.back().task != r.task) {
        unmatched++;
      } else {
        stack.pop_back();
      }
    }
    (was_kept ? kept : dropped)++;
    if (was_kept) kept_total += r.total;
  }
};

}  // namespace

TEST_CASE("the region listener sees each region open and close, innermost first") {
  for (const char* trace : {"corpus/go1.26/usertasks.trace", "corpus/go1.21/usertasks.trace",
                            "tests/golden/v2/go-testdata/go122-annotations-stress.trace"}) {
    INFO(trace);
    Recorder rec;
    const Summary s = test::analyse(trace, {}, [&rec](analysis::Summarizer& summarizer) {
      summarizer.set_region_listener(&rec);
      rec.summarizer = &summarizer;
    });
    std::size_t regions = 0;
    Duration total = 0;
    for (const GoroutineSummary& g : s.goroutines) {
      regions += g.regions.size();
      for (const RegionSummary& r : g.regions) total += r.total;
    }
    CHECK(regions > 0);
    CHECK(rec.unmatched == 0);
    CHECK(rec.unknown_tasks == 0);
    CHECK(rec.kept == regions);
    CHECK(rec.kept_total == total);
    for (const auto& [g, stack] : rec.open) CHECK(stack.empty());  // all closed by the trace's end
    CHECK(rec.opened <= rec.kept + rec.dropped);
  }
}

TEST_CASE("regions streamed to a sink: counted in region_stats whether the sink reads them or not, in Go's order") {
  const auto path = test::source_dir() / "corpus/go1.26/usertasks.trace";
  const Summary kept = test::analyse(path);
  struct Sink : analysis::GoroutineSink {
    bool read = false;
    std::vector<std::pair<GoId, std::optional<Time>>> starts;
    void begin(const Summary& /*head*/) override {}
    void goroutine(const Summary& /*head*/, const GoroutineSummary& g, analysis::RegionSource& regions) override {
      CHECK(g.regions.empty());
      if (read) regions.each([&](const RegionSummary& r) { starts.emplace_back(g.id, r.start); });
    }
  };
  std::vector<std::pair<GoId, std::optional<Time>>> expected;
  for (const GoroutineSummary& g : kept.goroutines)
    for (const RegionSummary& r : g.regions) expected.emplace_back(g.id, r.start);
  REQUIRE(expected.size() == 41);
  for (const bool read : {true, false}) {
    Sink sink;
    sink.read = read;
    const Summary streamed = test::analyse(path, {}, {}, &sink);
    CHECK(streamed.region_stats.size() == kept.region_stats.size());
    for (const auto& [name, st] : kept.region_stats) {
      INFO(name);
      REQUIRE(streamed.region_stats.count(name) == 1);
      CHECK(streamed.region_stats.at(name).count == st.count);
      CHECK(streamed.region_stats.at(name).p99 == st.p99);
    }
    if (read) CHECK(sink.starts == expected);
  }
}
