// The old trace vocabulary (Go 1.5–1.21): event types as the runtime numbered them, the table of
// their arguments per version, and the compact record one decoded old event fits in.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace gtanalyze::parser::v1 {

// Numbered as on the wire (runtime/trace.go before Go 1.22).
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

// One row per type: the shape of the Go 1.7+ encoding; old_arg_count() adjusts for older ones.
struct OldSpec {
  std::string_view name;
  std::uint8_t min_version;  // the N of "go 1.N trace" that introduced the type
  bool stack;                // the last wire argument is a stack id
  std::uint8_t arg_count;    // named arguments after the timestamp (and before the stack)
  std::array<std::string_view, 3> args;
  std::uint8_t sarg_count;   // string arguments Go 1.19's dump prints after the numeric ones
  std::array<std::string_view, 2> sargs;
};

const OldSpec& old_spec(OldType t);

// Special P ids Go's parsers move events to (timers, netpoll, syscalls, GC, CPU samples).
inline constexpr std::int32_t kFakeP = 1000000;
inline constexpr std::int32_t kTimerP = kFakeP + 1;
inline constexpr std::int32_t kNetpollP = kFakeP + 2;
inline constexpr std::int32_t kSyscallP = kFakeP + 3;
inline constexpr std::int32_t kGCP = kFakeP + 4;
inline constexpr std::int32_t kProfileP = kFakeP + 5;

// A decoded old event (72 bytes); only the events that leave their batch's place in the order
// (syscall exits with a real time stamp, CPU samples, every event of a 1.5 trace) are ever
// stored as records — the rest are decoded again from the input when needed.
struct OldEvent {
  std::int64_t ts = 0;     // CPU ticks while ordering, nanoseconds from the first event after
  std::uint64_t g = 0;     // goroutine the event happened on (0: none)
  std::array<std::uint64_t, 4> args{};  // args[3]: the message's inline string id on UserLog
  std::uint64_t offset = 0;  // byte offset of the event in the trace (for messages and dumps)
  std::uint32_t stk = 0;     // stack id (0: none)
  std::int32_t p = 0;        // P, or one of the fake Ps above
  OldType type = OldType::None;
};
static_assert(sizeof(OldEvent) <= 72);

inline bool is_block(OldType t) {
  switch (t) {
    case OldType::GoBlock: case OldType::GoBlockSend: case OldType::GoBlockRecv:
    case OldType::GoBlockSelect: case OldType::GoBlockSync: case OldType::GoBlockCond:
    case OldType::GoBlockNet: case OldType::GoSleep: case OldType::GoBlockGC:
      return true;
    default:
      return false;
  }
}

}  // namespace gtanalyze::parser::v1
