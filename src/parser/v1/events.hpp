// The old trace vocabulary (Go 1.5–1.21): event types as the runtime numbered them, the table of
// their arguments per version (as Go 1.19's parser lists it), and the compact record one decoded
// old event fits in.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace gtanalyze::parser::v1 {

// Numbered as on the wire (runtime/trace.go before Go 1.22).
// Laid out by hand: in wire order, as runtime/trace.go lists them.
// clang-format off
enum class OldType : std::uint8_t {
  None = 0, Batch, Frequency, Stack, Gomaxprocs, ProcStart, ProcStop, GCStart, GCDone, STWStart,
  STWDone, GCSweepStart, GCSweepDone, GoCreate, GoStart, GoEnd, GoStop, GoSched, GoPreempt,
  GoSleep, GoBlock, GoUnblock, GoBlockSend, GoBlockRecv, GoBlockSelect, GoBlockSync, GoBlockCond,
  GoBlockNet, GoSysCall, GoSysExit, GoSysBlock, GoWaiting, GoInSyscall, HeapAlloc, HeapGoal,
  TimerGoroutine, FutileWakeup, String, GoStartLocal, GoUnblockLocal, GoSysExitLocal,
  GoStartLabel, GoBlockGC, GCMarkAssistStart, GCMarkAssistDone, UserTaskCreate, UserTaskEnd,
  UserRegion, UserLog, CPUSample,
  Count,
};
// clang-format on

// One row per type: the shape of the Go 1.7+ encoding; old_arg_count() adjusts for older ones.
struct OldSpec {
  std::string_view name;
  std::uint8_t min_version;  // the N of "go 1.N trace" that introduced the type
  bool stack;                // the last wire argument is a stack id
  std::uint8_t arg_count;    // named arguments after the timestamp (and before the stack)
  std::array<std::string_view, 3> args;
  std::uint8_t sarg_count;  // string arguments Go 1.19's dump prints after the numeric ones
  std::array<std::string_view, 2> sargs;
};

namespace detail {
using A = std::array<std::string_view, 3>;
using S = std::array<std::string_view, 2>;

inline constexpr std::array<OldSpec, static_cast<std::size_t>(OldType::Count)> kSpecs = {{
    {"None", 5, false, 0, A{}, 0, S{}},
    {"Batch", 5, false, 2, A{"p", "ticks"}, 0, S{}},
    {"Frequency", 5, false, 1, A{"freq"}, 0, S{}},
    {"Stack", 5, false, 2, A{"id", "siz"}, 0, S{}},
    {"Gomaxprocs", 5, true, 1, A{"procs"}, 0, S{}},
    {"ProcStart", 5, false, 1, A{"thread"}, 0, S{}},
    {"ProcStop", 5, false, 0, A{}, 0, S{}},
    {"GCStart", 5, true, 1, A{"seq"}, 0, S{}},
    {"GCDone", 5, false, 0, A{}, 0, S{}},
    {"GCSTWStart", 5, false, 1, A{"kindid"}, 1, S{"kind"}},
    {"GCSTWDone", 5, false, 0, A{}, 0, S{}},
    {"GCSweepStart", 5, true, 0, A{}, 0, S{}},
    {"GCSweepDone", 5, false, 2, A{"swept", "reclaimed"}, 0, S{}},
    {"GoCreate", 5, true, 2, A{"g", "stack"}, 0, S{}},
    {"GoStart", 5, false, 2, A{"g", "seq"}, 0, S{}},
    {"GoEnd", 5, false, 0, A{}, 0, S{}},
    {"GoStop", 5, true, 0, A{}, 0, S{}},
    {"GoSched", 5, true, 0, A{}, 0, S{}},
    {"GoPreempt", 5, true, 0, A{}, 0, S{}},
    {"GoSleep", 5, true, 0, A{}, 0, S{}},
    {"GoBlock", 5, true, 0, A{}, 0, S{}},
    {"GoUnblock", 5, true, 2, A{"g", "seq"}, 0, S{}},
    {"GoBlockSend", 5, true, 0, A{}, 0, S{}},
    {"GoBlockRecv", 5, true, 0, A{}, 0, S{}},
    {"GoBlockSelect", 5, true, 0, A{}, 0, S{}},
    {"GoBlockSync", 5, true, 0, A{}, 0, S{}},
    {"GoBlockCond", 5, true, 0, A{}, 0, S{}},
    {"GoBlockNet", 5, true, 0, A{}, 0, S{}},
    {"GoSysCall", 5, true, 0, A{}, 0, S{}},
    {"GoSysExit", 5, false, 3, A{"g", "seq", "ts"}, 0, S{}},
    {"GoSysBlock", 5, false, 0, A{}, 0, S{}},
    {"GoWaiting", 5, false, 1, A{"g"}, 0, S{}},
    {"GoInSyscall", 5, false, 1, A{"g"}, 0, S{}},
    {"HeapAlloc", 5, false, 1, A{"mem"}, 0, S{}},
    {"HeapGoal", 5, false, 1, A{"mem"}, 0, S{}},
    {"TimerGoroutine", 5, false, 1, A{"g"}, 0, S{}},
    {"FutileWakeup", 5, false, 0, A{}, 0, S{}},
    {"String", 7, false, 0, A{}, 0, S{}},
    {"GoStartLocal", 7, false, 1, A{"g"}, 0, S{}},
    {"GoUnblockLocal", 7, true, 1, A{"g"}, 0, S{}},
    {"GoSysExitLocal", 7, false, 2, A{"g", "ts"}, 0, S{}},
    {"GoStartLabel", 8, false, 3, A{"g", "seq", "labelid"}, 1, S{"label"}},
    {"GoBlockGC", 8, true, 0, A{}, 0, S{}},
    {"GCMarkAssistStart", 9, true, 0, A{}, 0, S{}},
    {"GCMarkAssistDone", 9, false, 0, A{}, 0, S{}},
    {"UserTaskCreate", 11, true, 3, A{"taskid", "pid", "typeid"}, 1, S{"name"}},
    {"UserTaskEnd", 11, true, 1, A{"taskid"}, 0, S{}},
    {"UserRegion", 11, true, 3, A{"taskid", "mode", "typeid"}, 1, S{"name"}},
    {"UserLog", 11, true, 2, A{"id", "keyid"}, 2, S{"category", "message"}},
    {"CPUSample", 19, true, 3, A{"ts", "p", "g"}, 0, S{}},
}};
}  // namespace detail

// Inline: the decoder asks once per record.
constexpr const OldSpec& old_spec(OldType t) { return detail::kSpecs[static_cast<std::size_t>(t)]; }

// Special P ids Go's parsers move events to (timers, netpoll, syscalls, GC, CPU samples).
inline constexpr std::int32_t kFakeP = 1000000;
inline constexpr std::int32_t kTimerP = kFakeP + 1;
inline constexpr std::int32_t kNetpollP = kFakeP + 2;
inline constexpr std::int32_t kSyscallP = kFakeP + 3;
inline constexpr std::int32_t kGCP = kFakeP + 4;
inline constexpr std::int32_t kProfileP = kFakeP + 5;

// P ids as small keys for the dense part of an IdMap, one to one: the fake Ps first, then -1
// (global batches) and the real Ps; other negative ids (from damaged CPU samples) stay negative.
inline std::int64_t p_key(std::int32_t p) {
  if (p >= kFakeP && p <= kProfileP) return p - kFakeP;
  return p >= -1 ? std::int64_t{p} + (kProfileP - kFakeP + 2) : p;
}

// A decoded old event (72 bytes); only the events that leave their batch's place in the order
// (syscall exits with a real time stamp, CPU samples, every event of a 1.5 trace) are ever
// stored as records — the rest are decoded again from the input when needed.
struct OldEvent {
  std::int64_t ts = 0;                  // CPU ticks while ordering, nanoseconds from the first event after
  std::uint64_t g = 0;                  // goroutine the event happened on (0: none)
  std::array<std::uint64_t, 4> args{};  // args[3]: the message's inline string id on UserLog
  std::uint64_t offset = 0;             // byte offset of the event in the trace (for messages and dumps)
  std::uint32_t stk = 0;                // stack id (0: none)
  std::int32_t p = 0;                   // P, or one of the fake Ps above
  OldType type = OldType::None;
};
static_assert(sizeof(OldEvent) <= 72);

inline bool is_block(OldType t) {
  switch (t) {
    case OldType::GoBlock:
    case OldType::GoBlockSend:
    case OldType::GoBlockRecv:
    case OldType::GoBlockSelect:
    case OldType::GoBlockSync:
    case OldType::GoBlockCond:
    case OldType::GoBlockNet:
    case OldType::GoSleep:
    case OldType::GoBlockGC: return true;
    default: return false;
  }
}

}  // namespace gtanalyze::parser::v1
