// Our gtanalyze/v1 JSON equals, field for field, what Go's own parser and summariser give
// (tests/golden/json, made by tools/golden/make-json-goldens.sh from tools/reference/gtaref).
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "report/json.hpp"
#include "support/analyse.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace gtanalyze;

namespace {

const fs::path kSource = GTANALYZE_SOURCE_DIR;

json analyse(const fs::path& trace) { return test::analyse_json(trace); }

}  // namespace

TEST_CASE("JSON equals Go's summariser on every corpus trace Go 1.26 reads") {
  std::size_t traces = 0, goroutines = 0, fields = 0, mismatches = 0;
  std::size_t annotated = 0, tasks = 0, regions = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "tests/golden/json")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const json want = json::parse(in);
    const fs::path trace = test::trace_of_json_golden(entry.path());
    const std::string text = report::to_json(test::analyse(trace));
    // `gtanalyze --json` streams the goroutines while the summary is made: the same bytes.
    CHECK(test::analyse_json_streamed(trace) == text);
    json got = json::parse(text);
    // Go's reader error (gtaref puts it in warnings, as `go tool trace` analyses what came before
    // it) ends our warning, after where the trace stopped being read.
    auto& got_warnings = got["trace"]["warnings"];
    const auto& want_warnings = want["trace"]["warnings"];
    for (std::size_t i = 0; i < got_warnings.size() && i < want_warnings.size(); i++) {
      if (got_warnings[i].get<std::string>().ends_with(": " + want_warnings[i].get<std::string>()))
        got_warnings[i] = want_warnings[i];
    }
    traces++;
    goroutines += want["goroutines"].size();
    std::size_t trace_regions = 0;
    for (const auto& g : want["goroutines"]) {
      fields += g.size();
      trace_regions += g["regions"].size();
    }
    if (!want["tasks"].empty() || trace_regions != 0) annotated++;
    tasks += want["tasks"].size();
    regions += trace_regions;
    const json patch = json::diff(want, got);
    if (!patch.empty()) {
      mismatches += patch.size();
      std::string first;
      for (std::size_t i = 0; i < patch.size() && i < 5; i++) first += "\n  " + patch[i].dump();
      UNSCOPED_INFO(entry.path().lexically_relative(kSource).string()
                    << ": " << patch.size() << " differences" << first);
      CHECK(patch.empty());
    }
  }
  WARN(traces << " traces, " << goroutines << " goroutines, " << fields << " goroutine fields, " << mismatches
              << " mismatches; " << annotated << " traces with annotations: " << tasks << " tasks, " << regions
              << " regions");
  CHECK(traces > 0);
  // The user annotations are compared on every trace that has them: never on none. 20: the
  // corpus programs annotations and usertasks × 7 toolchains, Go's user_task_region_1_{11,19,21}
  // and its three 1.22 test cases with annotations.
  CHECK(annotated >= 20);
}

TEST_CASE("formats only Go 1.19 reads (1.5-1.10): goroutines, final states and leaks equal what its parser implies") {
  std::size_t traces = 0, goroutines = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "tests/golden/go119")) {
    std::ifstream in(entry.path());
    const json want = json::parse(in);
    fs::path trace = kSource / "corpus/go-testdata/v1" / entry.path().stem();
    if (!fs::exists(trace)) trace = kSource / "corpus/derived" / entry.path().stem();  // the 1.8 format
    const json got = analyse(trace);
    INFO(entry.path().filename().string());
    std::map<std::int64_t, std::pair<std::string, std::string>> want_states, got_states;
    for (const auto& g : want["goroutines"]) want_states[g["id"]] = {g["final_state"], g["final_reason"]};
    for (const auto& g : got["goroutines"]) got_states[g["id"]] = {g["final_state"], g["final_reason"]};
    CHECK(got_states == want_states);
    std::vector<std::int64_t> got_leaks;
    for (const auto& c : got["leak_candidates"]) got_leaks.push_back(c["id"]);
    CHECK(got_leaks == want["leak_candidates"].get<std::vector<std::int64_t>>());
    traces++;
    goroutines += want_states.size();
  }
  WARN(traces << " traces of formats 1.5-1.10, " << goroutines << " goroutines compared with Go 1.19's parser");
  CHECK(traces >= 15);
}

// On every trace we read, each goroutine's breakdown adds up: the non-overlapping times never
// exceed its lifetime, unknown time is the rest, and its times are in order.
TEST_CASE("every goroutine's breakdown is internally consistent on every corpus trace") {
  std::size_t traces = 0, goroutines = 0;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "corpus")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (entry.path().extension() == ".trace" || name.find("_good") != std::string::npos))
      paths.push_back(entry.path());
  }
  for (const auto& path : paths) {
    INFO(path.string());
    const json doc = analyse(path);
    const std::int64_t duration = doc["trace"]["duration_ns"];
    for (const auto& g : doc["goroutines"]) {
      INFO("goroutine " << g["id"]);
      const std::int64_t total = g["total_ns"], unknown = g["unknown_ns"];
      std::int64_t block = 0;
      for (const auto& [reason, ns] : g["block_ns_by_reason"].items()) block += ns.get<std::int64_t>();
      CHECK(block == g["block_ns"].get<std::int64_t>());
      const std::int64_t known = g["exec_ns"].get<std::int64_t>() + g["sched_wait_ns"].get<std::int64_t>() +
                                 g["syscall_ns"].get<std::int64_t>() + g["syscall_block_ns"].get<std::int64_t>() +
                                 block;
      for (const char* field :
           {"exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "total_ns", "unknown_ns", "gc_ns"})
        CHECK(g[field].get<std::int64_t>() >= 0);
      CHECK(unknown == std::max<std::int64_t>(0, total - known));
      CHECK(total <= duration);
      const std::int64_t creation = g["creation_ns"];
      CHECK(creation >= 0);
      if (!g["start_ns"].is_null()) CHECK(g["start_ns"].get<std::int64_t>() >= creation);
      if (!g["end_ns"].is_null()) CHECK(g["end_ns"].get<std::int64_t>() >= creation);
      goroutines++;
    }
    traces++;
  }
  WARN(traces << " traces, " << goroutines << " goroutines checked for consistency");
  CHECK(traces >= 90);
}

// The export is written as a stream; its text must be exactly the canonical form of the document
// (sorted keys, two-space indent) that a JSON library would print, whatever the names contain.
TEST_CASE("the JSON text is canonical: sorted keys, stable formatting") {
  for (const char* trace :
       {"corpus/go1.26/leaky.trace", "corpus/go1.21/annotations.trace", "corpus/go-testdata/v1/stress_1_5_good"}) {
    INFO(trace);
    const Summary summary = test::analyse(trace);
    const std::string text = report::to_json(summary);
    const json doc = json::parse(text);
    CHECK(text == doc.dump(2) + "\n");
    // Written in pieces to a file (as `gtanalyze --json`; here a piece per goroutine), the text
    // is the same.
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    CHECK(report::write_json(summary, file, 1));
    std::string written(static_cast<std::size_t>(std::ftell(file)), '\0');
    std::rewind(file);
    CHECK(std::fread(written.data(), 1, written.size(), file) == written.size());
    std::fclose(file);
    CHECK(written == text);
  }
  // Names with quotes, control characters, non-ASCII and invalid UTF-8 are escaped like a
  // library would (invalid bytes replaced), never written raw.
  Summary s;
  GoroutineSummary g;
  g.id = 1;
  g.name = "main.\"quoted\"\\ \t é \xff";
  s.goroutines.push_back(g);
  const std::string text = report::to_json(s);
  const json doc = json::parse(text);
  CHECK(text == doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  CHECK(doc["goroutines"][0]["name"].get<std::string>().rfind("main.\"quoted\"\\ \t é ", 0) == 0);
}
