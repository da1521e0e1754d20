// Old-format wire records (private to the v1 decoder): one record decoded in place, as the
// indexing pass, the ordering and the replays all read them again from the input.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "parser/v1/parser.hpp"
#include "parser/wire.hpp"

namespace gtanalyze::parser::v1 {

// One wire record, decoded in place: no allocation per record.
struct OldTrace::Raw {
  // Events have at most 6 wire arguments (Go's argNum); only a Stack's frames go beyond, and
  // index() decodes those from `body`.
  static constexpr unsigned kMaxArgs = 8;
  OldType type = OldType::None;
  bool prefixed = false;   // the arguments were length-prefixed: `body` holds all of them
  std::uint32_t narg = 0;  // arguments on the wire; the first kMaxArgs are in `args`
  std::array<std::uint64_t, kMaxArgs> args{};
  std::string_view body;
  std::string_view payload;  // a String's bytes or a UserLog's message
  std::string why;           // what was wrong with a Corrupt record
};

// The event types a version knows, as bits: one test per record instead of a table look-up.
std::uint64_t known_types(unsigned minor);

// A String, or a record with length-prefixed arguments, after its type byte (read_record).
ReadStatus read_long_record(ByteReader& c, unsigned minor, OldTrace::Raw& raw);

// Reads one wire record; there must be at least one byte left. On Corrupt, `raw.why` says what
// was wrong, unless the cursor found a varint too long. Inline for the common record, an event
// with its arguments inline; strings and length-prefixed records go out of line.
inline ReadStatus read_record(ByteReader& c, unsigned minor, std::uint64_t known, OldTrace::Raw& raw) {
  std::uint8_t b = 0;
  if (auto r = c.u8(b); r != ReadStatus::Ok) return r;
  auto t = static_cast<unsigned>(b & 0x3f);
  if (((known >> t) & 1) == 0) {
    raw.why = fmt::format("unknown event type {}", t);
    return ReadStatus::Corrupt;
  }
  raw.type = static_cast<OldType>(t);
  raw.prefixed = false;
  raw.payload = {};
  // The top two bits count the arguments (timestamp included, plus a sequence number before
  // 1.7); their maximum means "length-prefixed".
  const unsigned narg = (b >> 6) + (minor < 7 ? 2u : 1u);
  const unsigned inline_limit = minor < 7 ? 5 : 4;
  if (raw.type == OldType::String || narg >= inline_limit) {
    return read_long_record(c, minor, raw);
  }
  for (unsigned i = 0; i < narg; i++) {
    if (auto r = c.uvarint(raw.args[i]); r != ReadStatus::Ok) return r;
  }
  raw.narg = narg;
  return ReadStatus::Ok;
}

// Whether a record other than a Batch is an event of its P's stream (next_in_stream() yields
// it, skipping the same types in its own switch); the rest are tables, or CPU samples, which
// are placed by their own time.
inline bool is_stream_event(OldType t) {
  switch (t) {
    case OldType::String:
    case OldType::Stack:
    case OldType::Frequency:
    case OldType::TimerGoroutine:
    case OldType::CPUSample: return false;
    default: return true;
  }
}

// "Local" variants only help ordering; after it they are the ordinary events.
inline void drop_local(OldEvent& ev) {
  switch (ev.type) {
    case OldType::GoStartLocal: ev.type = OldType::GoStart; break;
    case OldType::GoUnblockLocal: ev.type = OldType::GoUnblock; break;
    case OldType::GoSysExitLocal: ev.type = OldType::GoSysExit; break;
    default: break;
  }
}

}  // namespace gtanalyze::parser::v1
