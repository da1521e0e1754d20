// Test helper: a corpus trace through the whole pipeline (reader → Summarizer), failing the
// current test with the decoder's message when it cannot be read.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::test {

// `path` is absolute, or relative to the source tree.
Summary analyse(const std::filesystem::path& path, const LeakOptions& leaks = {});
// The same, as the gtanalyze/v1 JSON document.
nlohmann::json analyse_json(const std::filesystem::path& path, const LeakOptions& leaks = {});

std::filesystem::path source_dir();

}  // namespace gtanalyze::test
