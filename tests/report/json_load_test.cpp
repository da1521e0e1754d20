// from_json: an export loads back into a Summary with the same export and the same diff figures,
// and a malformed export is rejected with the field and what is wrong with it.
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "report/diff.hpp"
#include "report/json.hpp"
#include "support/analyse.hpp"

using namespace gtanalyze;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("to_json(from_json(to_json(s))) == to_json(s) on every trace of the JSON goldens") {
  std::size_t traces = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / "tests/golden/json")) {
    if (entry.path().extension() != ".json") continue;
    const fs::path trace = test::trace_of_json_golden(entry.path());
    INFO(trace.string());
    const Summary analysed = test::analyse(trace);
    const std::string text = report::to_json(analysed);
    const Result<Summary> loaded = report::from_json(text);
    if (!loaded) FAIL(loaded.error().message);
    CHECK(report::to_json(*loaded) == text);
    // diff sees the same figures in the loaded Summary as in the analysed one.
    const report::DiffReport same = report::diff(analysed, *loaded, {});
    CHECK_FALSE(same.metrics.empty());
    for (const auto& m : same.metrics) CHECK(m.base == m.next);
    for (const auto& l : same.leaks) CHECK(l.kind == "same");
    traces++;
  }
  CHECK(traces >= 80);
}

TEST_CASE("fields a later schema version may add are ignored") {
  const std::string text = report::to_json(test::analyse("corpus/go1.26/leaky.trace"));
  json doc = json::parse(text);
  doc["added_later"] = {{"x", 1}};
  doc["goroutines"][0]["added_later"] = "y";
  const Result<Summary> loaded = report::from_json(doc.dump());
  if (!loaded) FAIL(loaded.error().message);
  CHECK(report::to_json(*loaded) == text);
}

TEST_CASE("a malformed export is rejected with the field and the reason") {
  const json valid = json::parse(report::to_json(test::analyse("corpus/go1.26/leaky.trace")));
  REQUIRE(valid["goroutines"].size() == 29);
  REQUIRE(valid["leak_groups"][0]["create_stack"].size() > 0);
  auto error_of = [](const std::string& text) {
    const Result<Summary> loaded = report::from_json(text);
    REQUIRE_FALSE(loaded.has_value());
    return loaded.error().message;
  };
  auto error_after = [&](void (*change)(json&)) {
    json doc = valid;
    change(doc);
    return error_of(doc.dump());
  };

  CHECK(error_of("{\"schema\": ") ==
        "starts like JSON but is not valid JSON: parse error at line 1, column 12: syntax error while parsing value - "
        "unexpected end of input; expected '[', '{', or a literal");
  CHECK(report::from_json("{\"schema\": }").error().offset == 11);  // the '}'
  CHECK(error_of("{\"schema\": \"gtanalyze/v2\"}") ==
        "a gtanalyze/v2 export: this gtanalyze reads gtanalyze/v1 (a newer one wrote it?)");
  const std::string foreign = "is JSON but not a gtanalyze export (expected \"schema\": \"gtanalyze/v1\")";
  CHECK(error_of("{\"schema\": \"other\"}") == foreign);
  CHECK(error_of("{\"schema\": 5}") == foreign);
  CHECK(error_of("[1, 2]") == foreign);

  const std::string prefix = "malformed gtanalyze/v1 export: ";
  CHECK(error_of("{\"schema\": \"gtanalyze/v1\"}") == prefix + "no field \"goroutines\"");
  CHECK(error_after([](json& d) { d["goroutines"][3]["exec_ns"] = "x"; }) ==
        prefix + "goroutines[3].exec_ns: expected nanoseconds (an integer, 0 or more), found \"x\"");
  CHECK(error_after([](json& d) { d["goroutines"][3]["exec_ns"] = -1; }) ==
        prefix + "goroutines[3].exec_ns: expected nanoseconds (an integer, 0 or more), found -1");
  CHECK(error_after([](json& d) { d["goroutines"][0]["id"] = 1.5; }) ==
        prefix + "goroutines[0].id: expected a 64-bit integer, found 1.5");
  CHECK(error_after([](json& d) { d["goroutines"][0].erase("name"); }) == prefix + "goroutines[0]: no field \"name\"");
  CHECK(error_after([](json& d) { d["goroutines"][0]["final_state"] = "sleeping"; }) ==
        prefix + "goroutines[0].final_state: unknown goroutine state \"sleeping\"");
  CHECK(error_after([](json& d) { d["goroutines"][0]["block_ns_by_reason"]["chan receive"] = "long"; }) ==
        prefix +
            "goroutines[0].block_ns_by_reason[\"chan receive\"]: expected nanoseconds (an integer, 0 or more), found "
            "\"long\"");
  CHECK(error_after([](json& d) { d["gc"]["stw_by_kind"] = json::array(); }) ==
        prefix + "gc.stw_by_kind: expected an object, found an array");
  CHECK(error_after([](json& d) { d["leak_groups"][0]["create_stack"][0]["line"] = -3; }) ==
        prefix + "leak_groups[0].create_stack[0].line: expected a count (an integer, 0 or more), found -3");
  CHECK(error_after([](json& d) { d["trace"]["go_version"] = "1.99"; }) ==
        prefix + "trace.go_version: \"1.99\" is not a Go trace format version gtanalyze reads");
  CHECK(error_after([](json& d) { d["goroutines"][0]["start_ns"] = 9223372036854775807; }) ==
        prefix + "goroutines[0].start_ns: a time too far from the first event");

  // Figures the export derives from others must agree with them.
  CHECK(error_after([](json& d) { d["trace"]["goroutines"] = 1; }) ==
        prefix + "trace.goroutines: is 1, but \"goroutines\" lists 29");
  CHECK(error_after([](json& d) { d["leak_groups"][0]["count"] = 99; }) ==
        prefix + "leak_groups[0].ids: lists 4 goroutines where the group's count is 99");
  const std::string block = error_after(
      [](json& d) { d["goroutines"][0]["block_ns"] = d["goroutines"][0]["block_ns"].get<std::int64_t>() + 1; });
  CHECK(block.rfind(prefix + "goroutines[0].block_ns: is ", 0) == 0);
  CHECK(block.find(", but the figures it is derived from give ") != std::string::npos);
}

TEST_CASE("user annotations load back; an export made before them loads with none") {
  const std::string text = report::to_json(test::analyse("corpus/go1.26/annotations.trace"));
  json doc = json::parse(text);
  REQUIRE(doc["tasks"].size() > 1);
  const Result<Summary> loaded = report::from_json(text);
  if (!loaded) FAIL(loaded.error().message);
  CHECK(loaded->tasks.size() == doc["tasks"].size());
  CHECK(loaded->region_stats.size() == doc["region_stats"].size());

  doc.erase("tasks");
  doc.erase("region_stats");
  doc.erase("task_stats");
  for (json& g : doc["goroutines"]) g.erase("regions");
  const Result<Summary> old = report::from_json(doc.dump());
  if (!old) FAIL(old.error().message);
  CHECK(old->tasks.empty());
  CHECK(old->region_stats.empty());
  for (const GoroutineSummary& g : old->goroutines) CHECK(g.regions.empty());

  const std::string prefix = "malformed gtanalyze/v1 export: ";
  auto error_after = [&](void (*change)(json&)) {
    json broken = json::parse(text);
    change(broken);
    const Result<Summary> r = report::from_json(broken.dump());
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
  };
  CHECK(error_after([](json& d) { d["tasks"][1]["complete"] = !d["tasks"][1]["complete"].get<bool>(); }) ==
        prefix + "tasks[1].complete: disagrees with start_ns and end_ns");
  CHECK(error_after([](json& d) { d["tasks"][1]["complete"] = 1; }) ==
        prefix + "tasks[1].complete: expected true or false, found 1");
  const std::string duration =
      error_after([](json& d) { d["tasks"][1]["duration_ns"] = d["tasks"][1]["duration_ns"].get<std::int64_t>() + 1; });
  CHECK(duration.rfind(prefix + "tasks[1].duration_ns: is ", 0) == 0);
  CHECK(error_after([](json& d) { d["region_stats"]["io"].erase("p99_ns"); }) ==
        prefix + "region_stats[\"io\"]: no field \"p99_ns\"");

  // A task that ends before it begins (threads' clocks apart) lasts less than
  // nothing in Go's summary and in --json: its stats load back (diff refused its own export).
  json skewed = json::parse(text);
  auto& stats = skewed["task_stats"].begin().value();
  for (const char* p : {"p50_ns", "p90_ns", "p99_ns", "max_ns"}) stats[p] = -640;
  const Result<Summary> negative = report::from_json(skewed.dump());
  if (!negative) FAIL(negative.error().message);
  CHECK(negative->task_stats.begin()->second.p50 == -640);
}

// The leak proof (tests/golden/json-leak-proof: Go's reference with the run's goroutineleak
// profile) loads back as it was; an export made before leak proofs loads as having none.
TEST_CASE("leak proofs load back; an export made before them loads with none") {
  const fs::path golden = test::source_dir() / "tests/golden/json-leak-proof/go1.26/leakproof.json";
  std::ifstream in(golden);
  const json want = json::parse(in);
  const Result<Summary> loaded = report::from_json(want.dump());
  if (!loaded) FAIL(loaded.error().message);
  CHECK(json::diff(want, json::parse(report::to_json(*loaded))).dump() == "[]");
  CHECK(loaded->leak_proof == LeakProof::Profile);

  json old = want;
  old["trace"].erase("leak_proof");
  for (auto& c : old["leak_candidates"]) c.erase("proven");
  for (auto& g : old["leak_groups"]) {
    g.erase("proven");
    g.erase("undecided");
  }
  const Result<Summary> before = report::from_json(old.dump());
  if (!before) FAIL(before.error().message);
  CHECK(before->leak_proof == LeakProof::None);
  for (const LeakCandidate& c : before->leak_candidates) CHECK_FALSE(c.proven.has_value());
  for (const LeakGroup& g : before->leak_groups) CHECK_FALSE(g.proven.has_value());

  json bad_proof = want;
  bad_proof["trace"]["leak_proof"] = "hunch";
  auto r = report::from_json(bad_proof.dump());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("trace.leak_proof: \"hunch\" is not a leak proof (none, profile or capture)") !=
        std::string::npos);
  json bad_undecided = want;
  for (auto& g : bad_undecided["leak_groups"])
    if (!g["undecided"].is_null()) g["undecided"]["proven"] = g["undecided"]["of"];
  r = report::from_json(bad_undecided.dump());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("undecided: proves as many as there are") != std::string::npos);
  json bad_count = want;
  bad_count["leak_groups"][0]["proven"] = bad_count["leak_groups"][0]["count"].get<int>() + 1;
  r = report::from_json(bad_count.dump());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("leak_groups[0].proven") != std::string::npos);
  CHECK(r.error().message.find("proves more goroutines than the group has (count)") != std::string::npos);
}
