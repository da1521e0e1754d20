// diff: rule parsing (with clear errors), rule evaluation, and leak groups matched by site
// between the leaky and the fixed corpus programs.
#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "report/diff.hpp"
#include "report/json.hpp"
#include "support/analyse.hpp"

using namespace gtanalyze;
namespace {

report::Rule rule(const std::string& text) {
  auto r = report::parse_rule(text);
  INFO(text);
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("rules parse into metric, comparison and threshold") {
  auto r = rule("sched_latency.p99>+20%");
  CHECK(r.metric == "sched_latency.p99");
  CHECK(r.op == ">");
  CHECK(r.threshold == 20);
  CHECK(r.mode == report::Rule::Mode::Percent);

  r = rule("group[main.(*pool).worker].block_ns>=+25%");
  CHECK(r.metric == "group[main.(*pool).worker].block_ns");
  CHECK(r.op == ">=");

  r = rule("region[commit > 5].p99>+30%");
  CHECK(r.metric == "region[commit > 5].p99");
  CHECK(r.mode == report::Rule::Mode::Percent);

  r = rule("task[handle request].count<10");
  CHECK(r.metric == "task[handle request].count");

  r = rule("gc.stw_max<=5ms");
  CHECK(r.threshold == 5e6);
  CHECK(r.mode == report::Rule::Mode::Value);

  r = rule("goroutines>+10");
  CHECK(r.mode == report::Rule::Mode::Delta);
  CHECK(r.threshold == 10);
  CHECK_FALSE(r.duration);

  // Durations are known as such whatever their spelling; the leak changes as between the runs.
  for (const char* text : {"duration_ns>1s", "region[a].p99>1e3", "group[g].sched_latency.p99_ns>0", "gc.stw>0"}) {
    INFO(text);
    CHECK(rule(text).duration);
  }
  CHECK(rule("gone-leaks>0").between_runs);
  CHECK_FALSE(rule("leaks>0").between_runs);

  // Spaces around the rule, the operator and the unit (a quoted rule in a CI file).
  r = rule(" leaks>+5 ");
  CHECK(r.metric == "leaks");
  CHECK(r.mode == report::Rule::Mode::Delta);
  CHECK(r.threshold == 5);
  CHECK(rule("gc.stw_max>10µs").threshold == 1e4);  // U+00B5
  CHECK(rule("gc.stw_max>10μs").threshold == 1e4);  // U+03BC, as Go's time.ParseDuration
  r = rule("gc.stw_max > 5 ms");
  CHECK(r.metric == "gc.stw_max");
  CHECK(r.threshold == 5e6);
  CHECK(rule("goroutines >= +10 %").mode == report::Rule::Mode::Percent);
}

TEST_CASE("malformed rules are rejected with the reason") {
  const std::pair<const char*, const char*> cases[] = {
      {"new-leaks", "expected METRIC>VALUE"},
      {">5", "no metric"},
      {"goroutines>", "no value"},
      {"goroutines>lots", "not a number"},
      {"goroutines>5parsecs", "unknown unit"},
      {"heap>5", "unknown metric 'heap'"},
      {"group[main.worker]>5", "needs a field"},
      {"region[commit]>5", "needs a field"},
      // A misspelt field was taken for a name neither run has: a rule that never fires, exit 0.
      {"region[io].p95>0", "unknown field 'p95' of region[...]"},
      {"task[request].avg>0", "unknown field 'avg' of task[...]"},
      {"group[main.main].exec_time>0", "unknown field 'exec_time' of group[...]"},
      {"group[main.main].sched_latency.p50>0", "unknown field 'sched_latency.p50'"},
      {"region[a].count_ns>0", "unknown field 'count_ns'"},
      // Counts take neither "_ns" nor a time unit (leaks>1ms compared with a million).
      {"leaks_ns>0", "unknown metric 'leaks_ns'"},
      {"gc.cycles_ns>0", "unknown metric 'gc.cycles_ns'"},
      {"leaks>1ms", "'leaks' is a count: its value takes no time unit"},
      {"task[t].count>+2s", "'task[t].count' is a count"},
      // Decimal numbers only (stod takes these too).
      {"goroutines>nan", "not a number"},
      {"goroutines>inf", "not a number"},
      {"goroutines>0x10", "not a number"},
      // Already a change between the runs.
      {"gone-leaks>+0", "already a change from base to new"},
      {"new-leaks>10%", "already a change from base to new"},
  };
  for (const auto& [text, reason] : cases) {
    auto r = report::parse_rule(text);
    INFO(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find(reason) != std::string::npos);
    CHECK(r.error().message.find(std::string("'") + text + "'") != std::string::npos);
  }
}

TEST_CASE("leaky vs fixed: exactly the designed leak groups differ, and new-leaks fires one way only") {
  for (const char* version : {"go1.19", "go1.21", "go1.22", "go1.26"}) {
    INFO(version);
    const Summary leaky = test::analyse(std::string("corpus/") + version + "/leaky.trace");
    const Summary fixed = test::analyse(std::string("corpus/") + version + "/leakfixed.trace");
    report::DiffOptions options;
    options.rules = {rule("new-leaks>0"), rule("leaks>+13")};

    const report::DiffReport worse = report::diff(fixed, leaky, options);
    CHECK(worse.regression());
    REQUIRE(worse.rules.size() == 2);
    CHECK(worse.rules[0].broken);
    CHECK(worse.rules[0].next == 14);  // 3 send + 4 receive + 2 select + 2 mutex + 2 cond + 1 forever
    CHECK(worse.rules[1].broken);
    std::map<std::string, std::uint64_t> new_groups;
    for (const auto& l : worse.leaks) {
      CHECK(l.kind == "new");
      new_groups[l.reason] = l.next_count;
    }
    const std::map<std::string, std::uint64_t> designed = {{"chan send", 3}, {"chan receive", 4},      {"select", 2},
                                                           {"sync", 2},      {"sync.(*Cond).Wait", 2}, {"forever", 1}};
    CHECK(new_groups == designed);

    const report::DiffReport better = report::diff(leaky, fixed, options);
    CHECK_FALSE(better.regression());
    for (const auto& l : better.leaks) CHECK(l.kind == "gone");

    const report::DiffReport same = report::diff(leaky, leaky, options);
    CHECK_FALSE(same.regression());
    for (const auto& m : same.metrics) CHECK_FALSE(m.shown);
  }
}

// Region and task statistics as diff figures, matched by name; a rule on a region's p99 breaks
// when it grows past the threshold, whichever side the trace or its export is.
TEST_CASE("region and task metrics: compared by name and usable in rules") {
  const Summary base = test::analyse("corpus/go1.26/annotations.trace");
  REQUIRE(base.region_stats.count("io"));
  REQUIRE(base.task_stats.count("request"));
  Summary next = base;
  SpanStats& io = next.region_stats.at("io");
  io.p99 = io.p99 * 13 / 10;  // 30% slower
  next.task_stats.at("request").count += 5;
  next.region_stats["commit"] = SpanStats{4, 4, 1'000'000, 2'000'000, 3'000'000, 3'000'000};  // new on one side

  report::DiffOptions options;
  options.rules = {rule("region[io].p99>+20%"),   rule("region[io].p99_ns>+40%"), rule("task[request].count>+4"),
                   rule("region[parse].p99>+1%"), rule("region[commit].max>2ms"), rule("group[nosuch].block>+1%")};
  const report::DiffReport d = report::diff(base, next, options);
  REQUIRE(d.rules.size() == 6);
  // A name on one side is compared with 0 on the other; a name on neither is flagged (a typo).
  for (std::size_t i = 0; i < 5; i++) CHECK_FALSE(d.rules[i].named_nowhere);
  CHECK(d.rules[5].named_nowhere);
  CHECK_FALSE(d.rules[5].broken);
  CHECK(d.rules[0].broken);
  CHECK(d.rules[0].base == static_cast<double>(base.region_stats.at("io").p99));
  CHECK_FALSE(d.rules[1].broken);
  CHECK(d.rules[2].broken);
  CHECK_FALSE(d.rules[3].broken);  // unchanged
  CHECK(d.rules[4].broken);
  std::set<std::string> shown;
  for (const auto& m : d.metrics)
    if (m.shown) shown.insert(m.name);
  CHECK(shown.count("region[io].p99_ns"));
  CHECK(shown.count("task[request].count"));
  CHECK(shown.count("region[commit].count"));
  CHECK_FALSE(shown.count("region[parse].p99_ns"));

  const report::DiffReport same = report::diff(base, base, options);
  CHECK_FALSE(same.regression());
  for (const auto& m : same.metrics) CHECK_FALSE(m.shown);
}

// proven-leaks and new-proven-leaks: the leakproof run without a proof, and with its profile's
// (the export Go's reference makes, tests/golden/json-leak-proof).
TEST_CASE("proven leaks: proven-leaks counts them, new-proven-leaks the growth by leak group") {
  const Summary unproven = test::analyse("corpus/go1.26/leakproof.trace");
  std::ifstream in(test::source_dir() / "tests/golden/json-leak-proof/go1.26/leakproof.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Result<Summary> proven = report::from_json(text);
  if (!proven) FAIL(proven.error().message);
  report::DiffOptions options;
  options.rules = {rule("new-proven-leaks>0"), rule("proven-leaks>10")};

  const report::DiffReport gained = report::diff(unproven, *proven, options);
  REQUIRE(gained.rules.size() == 2);
  CHECK(gained.rules[0].broken);
  CHECK(gained.rules[0].next == 11);  // 9 proven one by one, 2 of the 3 at recvOn's stack
  CHECK(gained.rules[1].broken);
  CHECK(gained.rules[1].base == 0);
  std::uint64_t proven_groups = 0;
  for (const auto& l : gained.leaks) {
    CHECK(l.kind == "same");  // the same candidates: only the proof differs
    CHECK(l.base_proven == 0);
    if (l.changed()) proven_groups++;
  }
  CHECK(proven_groups == 9);  // lockHeld's group is proven of none on both sides
  CHECK(report::diff_text(gained).find("same    3 → 3 (proven 0 → 2) × chan receive   main.recvOn") !=
        std::string::npos);

  const report::DiffReport lost = report::diff(*proven, unproven, options);
  CHECK_FALSE(lost.rules[0].broken);
  CHECK_FALSE(lost.rules[1].broken);

  // One more goroutine proven in one group: that group's growth, not the total's.
  Summary one_less = *proven;
  for (LeakGroup& g : one_less.leak_groups)
    if (g.name == "main.sendOn") g.proven = 1;
  const report::DiffReport grown = report::diff(one_less, *proven, options);
  CHECK(grown.rules[0].next == 1);
}

TEST_CASE("each run's warnings are in every rendering of the diff") {
  Summary base = test::analyse("corpus/go1.26/chans.trace");
  Summary next = base;
  next.warnings = {"trace cut short at offset 9 in generation 2: failed to read full batch"};
  const report::DiffReport r = report::diff(base, next, {});
  CHECK(r.base_warnings.empty());
  CHECK(report::diff_text(r).find("\nnew   \n      warning: trace cut short at offset 9") != std::string::npos);
  CHECK(report::diff_markdown(r).find("> **warning** (new): trace cut short at offset 9") != std::string::npos);
  const std::string json = report::diff_json(r);
  CHECK(json.find("\"base_warnings\": []") != std::string::npos);
  CHECK(json.find("\"new_warnings\": [\n    \"trace cut short at offset 9") != std::string::npos);
}

TEST_CASE("markdown shows names in code spans as they are: empty, with outer spaces or backticks") {
  report::DiffReport r;
  r.base_name = "a.trace";
  r.next_name = "b.trace";
  report::LeakChange l;
  l.kind = "new";
  l.next_count = 1;
  l.reason = "chan receive";
  l.name = "";              // a goroutine whose stacks have no frame
  l.create_site = " pad ";  // CommonMark strips one space each side of `` pad ``
  l.block_site = "`tick`";  // a span may not start with its own fence
  r.leaks.push_back(l);
  CHECK(report::diff_markdown(r).find("| new | 0 → 1 | chan receive |  | `  pad  ` | `` `tick` `` |\n") !=
        std::string::npos);
}

TEST_CASE("against a run without block stacks (a capture), leak groups match without their block site") {
  // The trace has two groups of main.worker created at main.main, blocked at two sites; the
  // capture, which has no block stacks, one group of all three.
  Summary trace;
  trace.stacks = {{},
                  {FrameInfo{"main.main", "m.go", 10}},
                  {FrameInfo{"main.recvA", "m.go", 20}},
                  {FrameInfo{"main.recvB", "m.go", 30}}};
  trace.leak_groups = {LeakGroup{"main.worker", "chan receive", 2, 0, 0, {5, 6}, 1, 2, {}, {}},
                       LeakGroup{"main.worker", "chan receive", 1, 0, 0, {7}, 1, 3, {}, {}}};
  Summary capture;
  capture.stacks = {{}, {FrameInfo{"main.main", "m.go", 10}}};
  capture.leak_groups = {LeakGroup{"main.worker", "chan receive", 3, 0, 0, {5, 6, 7}, 1, 0, {}, {}}};
  report::DiffOptions options;
  options.rules = {rule("new-leaks>0"), rule("gone-leaks>0")};
  const report::DiffReport d = report::diff(trace, capture, options);
  CHECK_FALSE(d.regression());
  REQUIRE(d.leaks.size() == 1);
  CHECK(d.leaks[0].kind == "same");
  CHECK(d.leaks[0].block_site == "(several sites)");
  // Between two traces the block site still tells groups apart.
  const report::DiffReport traces = report::diff(trace, trace, options);
  CHECK(traces.leaks.size() == 2);
}

TEST_CASE("a change under the noise floor passes a percentage rule and says so; a +/- rule's threshold is its own") {
  Summary base, next;
  base.sched_latency = {10, 1020, 1020, 1020, 1020};
  next.sched_latency = {10, 23400, 23400, 23400, 23400};  // +22.38µs, under the 100µs floor
  report::DiffOptions options;
  options.rules = {rule("sched_latency.p99>+20%"), rule("sched_latency.p99>+10us"), rule("sched_latency.p99>+50us")};
  const report::DiffReport r = report::diff(base, next, options);
  REQUIRE(r.rules.size() == 3);
  CHECK_FALSE(r.rules[0].broken);
  CHECK(r.rules[0].under_floor);
  CHECK(r.rules[0].measured == 0);
  CHECK(r.rules[1].broken);  // the rule asks for 10µs changes: the floor does not hide them
  CHECK_FALSE(r.rules[1].under_floor);
  CHECK(r.rules[1].measured == 22380);
  CHECK_FALSE(r.rules[2].broken);  // 22.38µs < 50µs
  CHECK_FALSE(r.rules[2].under_floor);
  const std::string text = report::diff_text(r);
  INFO(text);
  CHECK(text.find("sched_latency.p99 is changed by +2194.1% (base 1.02µs, new 23.4µs); under the noise floor of 100µs "
                  "(--floor-time), so no change") != std::string::npos);
  CHECK(text.find("sched_latency.p99>+50us: sched_latency.p99 is changed by +22.4µs (base 1.02µs, new 23.4µs)\n") !=
        std::string::npos);
  CHECK(report::diff_json(r).find("\"under_floor\": true") != std::string::npos);
}

TEST_CASE("warnings>0 breaks on a run that warns (cut short, or its header alone), not on a clean one") {
  Summary clean, cut;
  cut.warnings = {"the trace is its header alone"};
  report::DiffOptions options;
  options.rules = {rule("warnings>0")};
  CHECK(report::diff(clean, cut, options).rules[0].broken);
  CHECK_FALSE(report::diff(cut, clean, options).rules[0].broken);
  CHECK_FALSE(report::diff(clean, clean, options).rules[0].broken);
}

TEST_CASE("a long group metric keeps its kind and field, shortening the name between them") {
  Summary base, next;
  GroupSummary g;
  g.name = "example.com/some/long/package/path.(*pool).worker";
  g.count = 1;
  base.groups.push_back(g);
  g.exec = 2'000'000'000;
  next.groups.push_back(g);
  const std::string text = report::diff_text(report::diff(base, next, {}));
  INFO(text);
  CHECK(text.find("\ngroup[…long/package/path.(*pool).worker].exec_ns ") != std::string::npos);
}
