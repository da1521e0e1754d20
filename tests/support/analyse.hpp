// Test helper: a corpus trace through the whole pipeline (reader → Summarizer), failing the
// current test with the decoder's message when it cannot be read.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {
class GoroutineSink;
class Summarizer;
}  // namespace gtanalyze::analysis

namespace gtanalyze::test {

// `path` is absolute, or relative to the source tree. `setup`, if given, sees the Summarizer
// before the first event (to set a region listener); `sink`, if given, takes the goroutines.
Summary analyse(const std::filesystem::path& path, const LeakOptions& leaks = {},
                const std::function<void(analysis::Summarizer&)>& setup = {}, analysis::GoroutineSink* sink = nullptr);
// The same, as the gtanalyze/v1 JSON document.
nlohmann::json analyse_json(const std::filesystem::path& path, const LeakOptions& leaks = {});
// The document's text as `gtanalyze --json` writes it: streamed while the summary is made.
std::string analyse_json_streamed(const std::filesystem::path& path);

std::filesystem::path source_dir();

// The corpus trace a JSON golden was made from: tests/golden/json/go1.NN/NAME.json →
// corpus/go1.NN/NAME.trace, tests/golden/json/go-testdata/NAME.json → corpus/go-testdata/v1/NAME,
// tests/golden/json/go-testdata-v2/NAME.json → tests/golden/v2/go-testdata/NAME.trace.
std::filesystem::path trace_of_json_golden(const std::filesystem::path& golden);

}  // namespace gtanalyze::test
