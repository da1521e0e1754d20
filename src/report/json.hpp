// The versioned JSON export (schema "gtanalyze/v1", docs/json-schema.md) of a Summary.
#pragma once

#include <string>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

inline constexpr const char* kJsonSchema = "gtanalyze/v1";

// The whole document, pretty-printed with sorted keys and a final newline.
std::string to_json(const Summary& summary);

}  // namespace gtanalyze::report
