// Procs starting, stopping and being stolen, and the syscalls that lose their proc or run
// without one (cgo callbacks). Steals carry sequence numbers: they wait for the victim's state.
#include "parser/v2/ordering.hpp"

#include <fmt/format.h>

namespace gtanalyze::parser::v2 {

Ordering::Step Ordering::proc_start(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                    SchedCtx& next) {
  const auto pid = static_cast<ProcId>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = p_states_.find(pid);
  if (it == p_states_.end() || it->second.status != WireProcStatus::Idle || !seq.succeeds(it->second.seq) ||
      cur.p != kNoProc) {
    return Step::NotYet;  // not yet: its status or an earlier event of this P has not been seen
  }
  if (!validate(ev, cur, Need::MustHave, Need::MustNotHave, Need::MayHave)) return Step::Failed;
  it->second.status = WireProcStatus::Running;
  it->second.seq = seq;
  next.p = pid;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::proc_stop(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx& next) {
  auto it = p_states_.find(cur.p);
  if (it == p_states_.end()) {
    return fail(ev, "event {} for proc ({}) that doesn't exist", event_type_name(ev.type), cur.p);
  }
  if (it->second.status != WireProcStatus::Running && it->second.status != WireProcStatus::Syscall) {
    return fail(ev, "{} event for proc that's not Running or Syscall", event_type_name(ev.type));
  }
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  it->second.status = WireProcStatus::Idle;
  next.p = kNoProc;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::proc_steal(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                    SchedCtx& next) {
  const auto pid = static_cast<ProcId>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = p_states_.find(pid);
  if (it == p_states_.end() ||
      (it->second.status != WireProcStatus::Syscall && it->second.status != WireProcStatus::SyscallAbandoned) ||
      !seq.succeeds(it->second.seq)) {
    return Step::NotYet;
  }
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MayHave)) return Step::Failed;
  // Keep the status that let us advance: a steal from an abandoned syscall reads Idle→Idle.
  const WireProcStatus old_status = it->second.status;
  set_steal_from(ev.args, old_status);
  it->second.status = WireProcStatus::Idle;
  it->second.seq = seq;
  if (old_status == WireProcStatus::SyscallAbandoned) {
    // Information was lost: leave the thread alone, it may have moved on.
    push(ev, t, cur);
    return Step::Done;
  }
  const auto mid = static_cast<ThreadId>(ev.args[2]);
  if (mid == cur.m) {
    // Stealing from ourselves behaves like a ProcStop.
    if (cur.p != pid) {
      return fail(ev, "tried to self-steal proc {} (thread {}), but got proc {} instead", pid, mid, cur.p);
    }
    next.p = kNoProc;
    push(ev, t, cur);
    return Step::Done;
  }
  auto mit = m_states_.find(mid);
  if (mit == m_states_.end()) return fail(ev, "stole proc from non-existent thread {}", mid);
  if (mit->second.p != pid) {
    return fail(ev, "tried to steal proc {} from thread {}, but got proc {} instead", pid, mid, mit->second.p);
  }
  // The victim is in a syscall and will notice on its way out (GoSyscallEndBlocked waits for this).
  mit->second.p = kNoProc;
  push(ev, t, cur);
  return Step::Done;
}

// --- Syscalls ----------------------------------------------------------------------------

Ordering::Step Ordering::go_syscall_end_blocked(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur,
                                                SchedCtx& next) {
  // Ready only once this thread's P has left the syscall state (stopped or stolen): the event
  // says the P was lost at some point during the syscall.
  if (cur.p != kNoProc) {
    auto* pit = initialized_p(ev, cur.p);
    if (pit == nullptr) return Step::Failed;
    if (pit->second.status == WireProcStatus::Syscall) return Step::NotYet;
  }
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MustHave)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Syscall) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  next.g = kNoGoroutine;
  it->second.status = WireGoStatus::Runnable;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_create_syscall(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                           SchedCtx& next) {
  // A goroutine that appears from a cgo callback: created directly in a syscall.
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MustNotHave)) return Step::Failed;
  const auto newg = static_cast<GoId>(ev.args[0]);
  GState s;
  s.status = WireGoStatus::Syscall;
  s.seq = Seq{gen, 0};
  if (!g_states_.emplace(newg, std::move(s)).second) {
    return fail(ev, "tried to create goroutine ({}) in syscall that already exists", newg);
  }
  next.g = newg;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_destroy_syscall(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur,
                                            SchedCtx& next) {
  // The cgo callback's goroutine goes away. Any P is dropped too: the thread id may be reused
  // by the OS, and a new thread with it must not be mistaken for this one when stealing.
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MustHave)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Syscall) {
    return fail(ev, "{} event for goroutine that's not Syscall", event_type_name(ev.type));
  }
  forget_g(it);
  next.g = kNoGoroutine;
  if (cur.p != kNoProc) {
    auto pit = p_states_.find(cur.p);
    if (pit == p_states_.end()) {
      return fail(ev, "found invalid proc {} during {}", cur.p, event_type_name(ev.type));
    }
    if (pit->second.status != WireProcStatus::Syscall) {
      return fail(ev, "proc {} in unexpected state {} during {}", cur.p, proc_status_name(pit->second.status),
                  event_type_name(ev.type));
    }
    pit->second.status = WireProcStatus::SyscallAbandoned;
    next.p = kNoProc;
    // Report the loss of the P as a steal by this very thread.
    RawEvent steal;
    steal.type = EventType::ProcSteal;
    steal.time = ev.time;
    steal.args[0] = static_cast<std::uint64_t>(cur.p);
    set_steal_from(steal.args, WireProcStatus::Syscall);
    push(steal, t, cur);
  }
  push(ev, t, cur);
  return Step::Done;
}

}  // namespace gtanalyze::parser::v2
