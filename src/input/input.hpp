// The front door: which format an opened input is in (a Go execution trace, a capture of
// `gtanalyze collect`, or a gtanalyze JSON export), decided in one place from its first bytes,
// and the reader of events for the formats that hold events. Decompression is below it
// (ByteSource); each format's full check of its own header stays with its reader.
#pragma once

#include <cstdint>
#include <memory>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/leak_proof.hpp"
#include "gtanalyze/reader.hpp"

namespace gtanalyze::input {

enum class Format : std::uint8_t {
  GoTrace,     // "go 1.N trace" of a version we read
  Capture,     // `gtanalyze collect` (recognised only in builds with the collector)
  JsonExport,  // `gtanalyze --json` (or anything else starting with '{'; report::from_json checks it)
};

// Looks at the first bytes of `source` without consuming them. Anything else is an error that
// says what the bytes look like instead (empty, an ELF binary, text…), or which Go trace version
// we do not read.
Result<Format> detect(ByteSource& source);

// The events of a Go trace or a capture. A JSON export holds none: the error is the one any other
// input that is not a trace gets.
Result<std::unique_ptr<TraceReader>> open_events(ByteSource& source);

// The proof of leaks given with --leak-proof: a goroutineleak profile of the run (gzipped
// profile.proto), or a capture of it (the goroutines it saw marked leaked), told apart by content.
struct LeakProofInput {
  LeakProof kind = LeakProof::None;
  LeakProfile profile;   // kind Profile
  CaptureLeaks capture;  // kind Capture
};
Result<LeakProofInput> read_leak_proof(ByteSource& source);

}  // namespace gtanalyze::input
