// diff: rule parsing (with clear errors), rule evaluation, and leak groups matched by site
// between the leaky and the fixed corpus programs.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "report/diff.hpp"
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

  r = rule("gc.stw_max<=5ms");
  CHECK(r.threshold == 5e6);
  CHECK(r.mode == report::Rule::Mode::Value);

  r = rule("goroutines>+10");
  CHECK(r.mode == report::Rule::Mode::Delta);
  CHECK(r.threshold == 10);
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
