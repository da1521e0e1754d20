// The entry points for old-format traces (Go 1.5–1.21): a TraceReader yielding the converted
// Go 1.22+ events, and a dump of the old events before conversion (Go 1.19's `go tool trace -d`).
#pragma once

#include <memory>
#include <string>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/reader.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::parser {

// Called once the 16-byte header is read (the source is positioned after it), for versions
// 1.5–1.21. Reads, checks and orders the whole trace before returning, like Go's parser; a
// truncated tail yields the complete part and a warning.
Result<std::unique_ptr<TraceReader>> make_v1_reader(ByteSource& source, Version version);

// The old events of a trace (header included in `bytes`) in Go 1.19's parser semantics, one
// line per event as Go 1.19's `go tool trace -d` prints them ("TS Name p=P g=G off=OFF args…").
// The only reference Go offers for 1.5–1.10 traces. Warnings, if any, go to `warnings`.
Result<std::string> dump_v1_old_events(std::string bytes, std::vector<std::string>* warnings = nullptr);

}  // namespace gtanalyze::parser
