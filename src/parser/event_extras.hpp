// The wire statuses of goroutines and procs (tracev2.GoStatus, tracev2.ProcStatus), and the facts
// an Event carries in argument slots its wire format leaves spare (Go's baseEvent.extra). The
// event sources write them (v2's ordering, v1's converter, the collector's capture reader) and
// the event views (event.cpp) read them, only through these functions: no other code knows which
// slot holds what.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "gtanalyze/event.hpp"
#include "parser/spec.hpp"

namespace gtanalyze::parser {

enum class WireGoStatus : std::uint8_t { Bad, Runnable, Running, Syscall, Waiting };
enum class WireProcStatus : std::uint8_t { Bad, Running, Idle, Syscall, SyscallAbandoned };

// The state a wire status stands for (Go's tracev2GoStatus2GoState and friends).
inline GoState go_state_of(WireGoStatus s) {
  switch (s) {
    case WireGoStatus::Runnable: return GoState::Runnable;
    case WireGoStatus::Running: return GoState::Running;
    case WireGoStatus::Waiting: return GoState::Waiting;
    case WireGoStatus::Syscall: return GoState::Syscall;
    default: return GoState::Undetermined;
  }
}

// The wire status of a state, for sources other than a trace (Bad for states without one).
inline WireGoStatus wire_status_of(GoState s) {
  switch (s) {
    case GoState::Runnable: return WireGoStatus::Runnable;
    case GoState::Running: return WireGoStatus::Running;
    case GoState::Waiting: return WireGoStatus::Waiting;
    case GoState::Syscall: return WireGoStatus::Syscall;
    default: return WireGoStatus::Bad;
  }
}

// Syscall counts as Running, SyscallAbandoned as Idle.
inline ProcState proc_state_of(WireProcStatus s) {
  switch (s) {
    case WireProcStatus::Running:
    case WireProcStatus::Syscall: return ProcState::Running;
    case WireProcStatus::Idle:
    case WireProcStatus::SyscallAbandoned: return ProcState::Idle;
    default: return ProcState::Undetermined;
  }
}

using EventArgs = std::array<std::uint64_t, 4>;

// The first spare argument slot of an event type.
constexpr std::size_t extra_index(EventType t) { return spec_of(t).args.size() - 1; }

// GoStatus, GoStatusStack: the status argument carries the goroutine's state before the event
// in its high half.
inline void set_go_status(EventArgs& a, GoState from, WireGoStatus to) {
  a[2] = static_cast<std::uint64_t>(from) << 32 | static_cast<std::uint64_t>(to);
}
inline GoState go_status_from(const EventArgs& a) { return static_cast<GoState>(a[2] >> 32); }
inline WireGoStatus go_status_to(const EventArgs& a) { return static_cast<WireGoStatus>(a[2] & 0xffu); }

// ProcStatus: the proc's state before the event.
inline void set_proc_status_from(EventArgs& a, ProcState from) {
  a[extra_index(EventType::ProcStatus)] = static_cast<std::uint64_t>(from);
}
inline ProcState proc_status_from(const EventArgs& a) {
  return static_cast<ProcState>(a[extra_index(EventType::ProcStatus)]);
}

// ProcSteal: the wire status the steal advanced from (a steal of an abandoned syscall's proc
// reads Idle→Idle).
inline void set_steal_from(EventArgs& a, WireProcStatus from) {
  a[extra_index(EventType::ProcSteal)] = static_cast<std::uint64_t>(from);
}
inline WireProcStatus steal_from(const EventArgs& a) {
  return static_cast<WireProcStatus>(a[extra_index(EventType::ProcSteal)]);
}

// UserTaskEnd: the task's parent and type, from its begin; the type is an extra string of the
// end's generation (the begin's may be gone).
inline void set_task_end(EventArgs& a, TaskId parent, std::uint64_t type_extra_string) {
  const std::size_t x = extra_index(EventType::UserTaskEnd);
  a[x] = parent;
  a[x + 1] = type_extra_string;
}
inline TaskId task_end_parent(const EventArgs& a) { return a[extra_index(EventType::UserTaskEnd)]; }
inline std::uint64_t task_end_type(const EventArgs& a) { return a[extra_index(EventType::UserTaskEnd) + 1]; }

// STWBegin, STWEnd: the range's name, "stop-the-world (KIND)", an extra string of the event's
// generation.
inline void set_stw_name(EventArgs& a, std::uint64_t extra_string) { a[3] = extra_string; }
inline std::uint64_t stw_name(const EventArgs& a) { return a[3]; }

}  // namespace gtanalyze::parser
