// Renderings of a CrosscheckReport: text for the terminal, JSON (gtanalyze-crosscheck/v1,
// docs/capture-format.md) for tools.
#pragma once

#include <string>

#include "gtanalyze/crosscheck_report.hpp"

namespace gtanalyze::report {

// Notes, one line per item with its differences, the known differences, and the verdict.
std::string crosscheck_text(const CrosscheckReport& report);
std::string crosscheck_json(const CrosscheckReport& report);

}  // namespace gtanalyze::report
