// The versioned JSON export (schema "gtanalyze/v1", docs/json-schema.md) of a Summary.
#pragma once

#include <cstdio>
#include <string>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

inline constexpr const char* kJsonSchema = "gtanalyze/v1";

// The whole document, pretty-printed with sorted keys and a final newline.
std::string to_json(const Summary& summary);
// The same text written to `file` in pieces of about `piece_bytes`, never held whole (it is
// hundreds of MB for a big trace). False when a write failed.
bool write_json(const Summary& summary, std::FILE* file, std::size_t piece_bytes = 1 << 16);

}  // namespace gtanalyze::report
