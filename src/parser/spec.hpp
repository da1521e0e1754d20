// The wire specification of the Go 1.22+ trace format: one row per event type. The decoder, the
// text-trace converter and the dumps all read argument counts and flags from this table.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::parser {

// Experiments that may own experimental events or batches (Go's tracev2.Experiment).
enum class Experiment : std::uint8_t { None = 0, AllocFree = 1 };

std::string_view experiment_name(std::uint64_t id);

struct EventSpec {
  std::string_view name;  // empty for a hole in the numbering
  // Argument names in wire order. For timed events the first is the timestamp delta "dt".
  std::span<const std::string_view> args;
  // Indices into `args` of string-id and stack-id arguments. The first stack index is the stack of
  // the event's own execution context.
  std::span<const std::uint8_t> string_args;
  std::span<const std::uint8_t> stack_args;
  // For the end of a range (e.g. GCEnd) the event type that begins it; None otherwise.
  EventType start_event = EventType::None;
  bool timed = false;     // surfaced in the event stream (has a timestamp delta)
  bool has_data = false;  // followed by a uvarint length and that many bytes
  bool is_stack = false;  // followed by nframes × {pc, func, file, line}
  Experiment experiment = Experiment::None;
};

// Number of rows in the full table (the highest experimental event + 1).
inline constexpr std::size_t kSpecCount = 137;
// Limits of the wire format (Go's tracev2).
inline constexpr std::size_t kMaxBatchSize = 64 << 10;
inline constexpr std::size_t kMaxFramesPerStack = 128;
inline constexpr std::size_t kMaxStringSize = 1 << 10;
// Timed events carry at most this many arguments after the timestamp delta.
inline constexpr std::size_t kMaxTimedArgs = 4;

// Per type byte, which arguments of an event (indices into Event::args, after the timestamp delta)
// are stack ids and which string ids: the spec's lists in a flat row, for the per-event checks and
// lookups. The first stack is the execution context's. Sync (255, past the table) has none.
struct IdArgs {
  std::uint8_t stacks = 0, strings = 0;
  std::array<std::uint8_t, kMaxTimedArgs> stack{}, string{};
};
extern const std::array<IdArgs, 256> kIdArgs;

// The whole table, indexed by the wire type byte (Go's tracev2.Specs()). Decoders use it for
// every version, as Go does: a version only restricts what its text form may name.
std::span<const EventSpec> all_specs();

// The valid prefix of the table for a generational version (empty for older versions):
// 1.22 ends at UserLog, 1.23 at ExperimentalBatch, 1.25 at ClockSnapshot, 1.26 has all.
std::span<const EventSpec> specs_for(Version v);

// The row for a type byte, or nullptr when the byte names no event.
inline const EventSpec* find_spec(std::uint8_t type) {
  auto all = all_specs();
  if (type >= all.size() || all[type].name.empty()) return nullptr;
  return &all[type];
}

}  // namespace gtanalyze::parser
