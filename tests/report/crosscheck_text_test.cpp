// crosscheck's renderings of a hand-made report: the text lines and the JSON fields, per verdict.
#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "report/crosscheck_text.hpp"

using namespace gtanalyze;
using nlohmann::json;

namespace {

CrosscheckReport differing() {
  CrosscheckReport r;
  r.notes = {"window: 3 trace events"};
  r.known_differences = {"stops are not compared"};
  CrosscheckItem same{"goroutines", 2, 2, {}, {}};
  CrosscheckItem steps{"blocks, syscalls and exit",
                       2,
                       1,
                       {"g7: step 2 differs"},
                       {StepsDifference{7, 1, {"syscall", "exit"}, {"syscall", "block(sleep)"}}}};
  r.items = {same, steps};
  return r;
}

}  // namespace

TEST_CASE("crosscheck text: notes, one line per item with its differences, known differences, verdict") {
  CrosscheckReport r = differing();
  CHECK(r.verdict() == Verdict::Differ);
  CHECK(report::crosscheck_text(r) ==
        "note: window: 3 trace events\n"
        "goroutines                       2/2     agree\n"
        "blocks, syscalls and exit        1/2     DIFFER\n"
        "    g7: step 2 differs\n"
        "known differences (not compared):\n"
        "  - stops are not compared\n"
        "crosscheck: the trace and the capture DIFFER\n");

  r.capture_gap = "the ring buffer dropped 3 records";
  CHECK(r.verdict() == Verdict::Inconclusive);
  const std::string text = report::crosscheck_text(r);
  CHECK(text.find("blocks, syscalls and exit        1/2     differ (capture incomplete)\n") != std::string::npos);
  CHECK(text.find("crosscheck: INCONCLUSIVE: the capture is incomplete (the ring buffer dropped 3 records); the "
                  "differences may be what it missed\n") != std::string::npos);

  r.capture_gap.clear();
  r.other_run = "the capture times them 9.000 s after the trace: not the same run";
  CHECK(r.verdict() == Verdict::Inconclusive);
  CHECK(report::crosscheck_text(r).find("blocks, syscalls and exit        1/2     differ (not one run)\n"
                                        "    g7: step 2 differs\n") != std::string::npos);
  CHECK(report::crosscheck_text(r).ends_with(
      "crosscheck: INCONCLUSIVE: the capture times them 9.000 s after the trace: not the same run (give the trace and "
      "the capture of one run)\n"));
  // One reason only: another run's capture that is also incomplete printed two INCONCLUSIVE lines.
  r.capture_gap = "the ring buffer dropped 3 records";
  CHECK(
      report::crosscheck_text(r).ends_with("\n  - stops are not compared\ncrosscheck: INCONCLUSIVE: the capture times "
                                           "them 9.000 s after the trace: not the same run (give the trace and the "
                                           "capture of one run)\n"));
  r.capture_gap.clear();
  r.other_run.clear();

  r.trace_gap = "the trace's Frequency record was cut off: its times are CPU ticks, not nanoseconds";
  CHECK(r.verdict() == Verdict::Inconclusive);
  CHECK(report::crosscheck_text(r).find("blocks, syscalls and exit        1/2     differ (trace unaligned)\n") !=
        std::string::npos);
  CHECK(
      report::crosscheck_text(r).ends_with("crosscheck: INCONCLUSIVE: the trace's Frequency record was cut off: its "
                                           "times are CPU ticks, not nanoseconds; the differences may be the "
                                           "trace's\n"));
  CHECK(report::crosscheck_json(r).find("\"trace_gap\": \"the trace's Frequency") != std::string::npos);
  r.trace_gap.clear();

  r.items.pop_back();
  CHECK(r.verdict() == Verdict::Agree);
  CHECK(report::crosscheck_text(r).find("crosscheck: the trace and the capture agree\n") != std::string::npos);
}

TEST_CASE("crosscheck JSON: verdict, gap, items with their full differences") {
  const json doc = json::parse(report::crosscheck_json(differing()));
  CHECK(doc["schema"] == "gtanalyze-crosscheck/v1");
  CHECK(doc["agree"] == false);
  CHECK(doc["verdict"] == "differ");
  CHECK(doc["capture_gap"].is_null());
  CHECK(doc["other_run"].is_null());
  CHECK(doc["notes"] == json::array({"window: 3 trace events"}));
  REQUIRE(doc["items"].size() == 2);
  const json& steps = doc["items"][1];
  CHECK(steps["name"] == "blocks, syscalls and exit");
  CHECK(steps["compared"] == 2);
  CHECK(steps["agreed"] == 1);
  CHECK(steps["agree"] == false);
  CHECK(steps["details"][0] == json{{"goroutine", 7},
                                    {"first_difference", 1},
                                    {"trace", {"syscall", "exit"}},
                                    {"capture", {"syscall", "block(sleep)"}}});
}
