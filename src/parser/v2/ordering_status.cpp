// The statuses a generation starts with (ProcStatus, GoStatus): each re-establishes, or first
// tells, the state of a proc or goroutine, so that a generation can be read on its own.
#include <string_view>

#include "parser/v2/ordering.hpp"

namespace gtanalyze::parser::v2 {

std::string_view go_status_name(WireGoStatus s) {
  switch (s) {
    case WireGoStatus::Runnable: return "Runnable";
    case WireGoStatus::Running: return "Running";
    case WireGoStatus::Syscall: return "Syscall";
    case WireGoStatus::Waiting: return "Waiting";
    default: return "Bad";
  }
}

std::string_view proc_status_name(WireProcStatus s) {
  switch (s) {
    case WireProcStatus::Running: return "Running";
    case WireProcStatus::Idle: return "Idle";
    case WireProcStatus::Syscall: return "Syscall";
    default: return "Bad";
  }
}

Ordering::Step Ordering::proc_status(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                     SchedCtx& next) {
  const auto pid = static_cast<ProcId>(ev.args[0]);
  const std::uint64_t raw = ev.args[1];
  if (raw > static_cast<std::uint64_t>(WireProcStatus::SyscallAbandoned)) {
    return fail(ev, "invalid status for proc {}: {}", pid, raw);
  }
  const auto status = static_cast<WireProcStatus>(raw);
  ProcState old_state = proc_state_of(status);
  auto it = p_states_.find(pid);
  if (it != p_states_.end()) {
    PState& s = it->second;
    if (status == WireProcStatus::SyscallAbandoned && s.status == WireProcStatus::Syscall) {
      // Abandoned is a special case of Syscall: nothing was lost yet, so promote it.
      old_state = ProcState::Running;
      ev.args[1] = static_cast<std::uint64_t>(WireProcStatus::Syscall);
    } else if (status == WireProcStatus::SyscallAbandoned && s.status == WireProcStatus::SyscallAbandoned) {
      old_state = ProcState::Idle;
      ev.args[1] = static_cast<std::uint64_t>(WireProcStatus::SyscallAbandoned);
    } else if (s.status != status) {
      return fail(ev, "inconsistent status for proc {}: old {} vs. new {}", pid, proc_status_name(s.status),
                  proc_status_name(status));
    }
    s.seq = Seq{gen, 0};
  } else {
    PState s;
    s.status = status;
    s.seq = Seq{gen, 0};
    p_states_.emplace(pid, std::move(s));
    old_state = gen == initial_gen_ ? ProcState::Undetermined : ProcState::NotExist;
  }
  set_proc_status_from(ev.args, old_state);

  if (status == WireProcStatus::Running || status == WireProcStatus::Syscall) next.p = pid;
  // An abandoned P promoted to Running→Running must be reported in the context it is bound to,
  // which is likely another thread: find it.
  if (status == WireProcStatus::SyscallAbandoned && old_state == ProcState::Running) {
    bool found = false;
    for (const auto& [mid, ms] : m_states_) {
      if (ms.p == pid) {
        cur.m = mid;
        cur.p = pid;
        cur.g = ms.g;
        found = true;
      }
    }
    if (!found) return fail(ev, "failed to find sched context for proc {} that's about to be stolen", pid);
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_status(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                   SchedCtx& next) {
  const auto gid = static_cast<GoId>(ev.args[0]);
  const auto mid = static_cast<ThreadId>(ev.args[1]);
  // Go's reader keeps the low byte (a uint8 conversion) and reads on: so do we. (Not for a
  // proc's status, where Go's summary then indexes by the whole value and panics.)
  const std::uint64_t raw = ev.args[2] & 0xff;
  if (raw > static_cast<std::uint64_t>(WireGoStatus::Waiting)) {
    return fail(ev, "invalid status for goroutine {}: {}", gid, raw);
  }
  const auto status = static_cast<WireGoStatus>(raw);
  GoState old_state = go_state_of(status);
  auto it = g_states_.find(gid);
  if (it != g_states_.end()) {
    if (it->second.status != status) {
      return fail(ev, "inconsistent status for goroutine {}: old {} vs. new {}", gid, go_status_name(it->second.status),
                  go_status_name(status));
    }
    it->second.seq = Seq{gen, 0};
  } else if (gen == initial_gen_) {
    GState s;
    s.status = status;
    s.seq = Seq{gen, 0};
    g_states_.emplace(gid, std::move(s));
    old_state = GoState::Undetermined;
  } else {
    return fail(ev, "found goroutine status for new goroutine after the first generation: id={} status={}", gid,
                go_status_name(status));
  }
  set_go_status(ev.args, old_state, status);

  if (status == WireGoStatus::Running) {
    next.g = gid;
  } else if (status == WireGoStatus::Syscall) {
    if (mid == kNoThread) return fail(ev, "found goroutine {} in syscall without a thread", gid);
    if (mid == cur.m) {
      if (gen != initial_gen_ && cur.g != gid) {
        return fail(ev, "inconsistent thread for syscalling goroutine {}: thread has goroutine {}", gid, cur.g);
      }
      next.g = gid;
    } else {
      // A goroutine sitting in a syscall on another thread for the whole generation.
      auto mit = m_states_.find(mid);
      if (mit != m_states_.end()) {
        if (mit->second.g != gid) {
          return fail(ev, "inconsistent thread for syscalling goroutine {}: thread has goroutine {}", gid,
                      mit->second.g);
        }
        cur.g = mit->second.g;
      } else {
        m_states_.emplace(mid, MState{gid, kNoProc});
      }
      cur.m = mid;
    }
  }
  push(ev, t, cur);
  return Step::Done;
}

}  // namespace gtanalyze::parser::v2
