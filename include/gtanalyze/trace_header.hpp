// The 16-byte header every Go execution trace starts with: "go 1.N trace" padded with NULs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze {

inline constexpr std::size_t kTraceHeaderSize = 16;

// Reads and checks the header. A file that is not a Go trace gets an error that says what it
// looks like instead (empty, an ELF binary, JSON, text…); a Go trace header of an unknown
// version gets an error naming that version.
Result<Version> read_trace_header(ByteSource& source);

// The same check on bytes already in memory (at least the first 16 bytes of the input, or all
// of it when shorter).
Result<Version> parse_trace_header(std::string_view first_bytes);

// For a decoder that finds no batch or record where one should begin, `offset` bytes into the
// file: when `bytes` (what is there) is a trace header, the message that says a second trace
// begins there (traces written one after another into one file); else nothing.
std::optional<std::string> second_trace(std::string_view bytes, std::uint64_t offset);

}  // namespace gtanalyze
