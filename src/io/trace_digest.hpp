// The id of a trace in `export`'s tables: the XXH3 128-bit hash of its decompressed bytes, so the
// same trace has the same id wherever it is exported, however it is compressed or named.
#pragma once

#include <cstdint>
#include <string>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"

namespace gtanalyze::io {

struct TraceDigest {
  std::string id;           // 32 lowercase hex digits
  std::uint64_t bytes = 0;  // decompressed
};

// Reads `source` to its end.
Result<TraceDigest> trace_digest(ByteSource& source);

}  // namespace gtanalyze::io
