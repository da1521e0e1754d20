// The versioned JSON export (schema "gtanalyze/v1", docs/json-schema.md) of a Summary, and its
// loader.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "gtanalyze/error.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

inline constexpr const char* kJsonSchema = "gtanalyze/v1";

// The whole document, pretty-printed with sorted keys and a final newline.
std::string to_json(const Summary& summary);
// The same text written to `file` in pieces of about `piece_bytes`, never held whole (it is
// hundreds of MB for a big trace). False when a write failed.
bool write_json(const Summary& summary, std::FILE* file, std::size_t piece_bytes = 1 << 16);

// Loads an export back into a Summary whose to_json is the same document (up to fields a later
// version may add, which are ignored). The export holds times relative to the first event: the
// Summary places that event at time 1; what the export does not hold (GOMAXPROCS, each goroutine's
// stacks) is left at its default. Errors name the field and what was wrong with it.
Result<Summary> from_json(std::string_view text);

}  // namespace gtanalyze::report
