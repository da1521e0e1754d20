// The identifiers and states the public headers share: the trace clock, ids of goroutines,
// procs, threads and tasks, and the states of goroutines and procs (Go's GoState, ProcState).
// Small on purpose, so that summary.hpp needs nothing of the event model.
#pragma once

#include <cstdint>
#include <string_view>

namespace gtanalyze {

using Time = std::int64_t;  // nanoseconds since an arbitrary origin (the trace clock)
using GoId = std::int64_t;
using ProcId = std::int64_t;
using ThreadId = std::int64_t;
using TaskId = std::uint64_t;

inline constexpr GoId kNoGoroutine = -1;
inline constexpr ProcId kNoProc = -1;
inline constexpr ThreadId kNoThread = -1;
inline constexpr TaskId kNoTask = ~TaskId{0};
inline constexpr TaskId kBackgroundTask = 0;

enum class GoState : std::uint8_t { Undetermined, NotExist, Runnable, Running, Waiting, Syscall };
enum class ProcState : std::uint8_t { Undetermined, NotExist, Running, Idle };

std::string_view go_state_name(GoState s);
std::string_view proc_state_name(ProcState s);

}  // namespace gtanalyze
