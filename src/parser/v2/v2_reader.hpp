// The Go 1.22+ TraceReader: reads a generation, then merges its per-thread batches through the
// ordering state machine, lowest timestamp first (Go's reader.go, steps 1–8).
#pragma once

#include <memory>

#include "gtanalyze/reader.hpp"

namespace gtanalyze::parser::v2 {

// The source must be positioned just after the 16-byte header.
std::unique_ptr<TraceReader> make_v2_reader(ByteSource& source, Version version);

}  // namespace gtanalyze::parser::v2
