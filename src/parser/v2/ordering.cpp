// The ordering's entry point and the goroutine transitions most events are: advance() dispatches
// each event to its handler, following Go's order.go rule for rule (which facts make an event
// ready, which invariants it must meet, what it changes). The other handlers are in
// ordering_status.cpp (generation statuses), ordering_proc.cpp (procs and the syscalls that lose
// them) and ordering_range.cpp (ranges, GC, user annotations, allocations).
#include "parser/v2/ordering.hpp"

#include <fmt/format.h>

namespace gtanalyze::parser::v2 {

Ordering::Step Ordering::advance(RawEvent& ev, GenerationTables* tables, ThreadId m, std::uint64_t gen, MState*& ms) {
  if (initial_gen_ == 0) initial_gen_ = gen;
  SchedCtx cur;
  cur.m = m;
  if (m != kNoThread) {
    if (ms == nullptr) ms = &m_states_.try_emplace(m).first->second;
    cur.p = ms->p;
    cur.g = ms->g;
  }
  SchedCtx next = cur;
  // The busy handlers (nine events in ten) inline here; the rest through handle_other(), which
  // takes copies of the contexts, so that these stay in registers. Kept: callgrind go1.26-100M
  // dump --decode-only +3.5% Ir with one switch on the contexts themselves (2026-12-05).
  using E = EventType;
  Step step = Step::Failed;
  switch (ev.type) {
    case E::GoStart: step = go_start(ev, tables, gen, cur, next); break;
    case E::GoDestroy:
    case E::GoStop:
    case E::GoBlock: step = go_stop_exec(ev, tables, gen, cur, next); break;
    case E::GoUnblock: step = go_unblock(ev, tables, gen, cur, next); break;
    case E::GoSyscallBegin: step = go_syscall_begin(ev, tables, gen, cur, next); break;
    case E::GoSyscallEnd: step = go_syscall_end(ev, tables, gen, cur, next); break;
    default: {
      SchedCtx other_cur = cur, other_next = next;
      step = handle_other(ev, tables, gen, other_cur, other_next);
      next = other_next;
      break;
    }
  }
  if (step == Step::Done && m != kNoThread) {
    ms->p = next.p;
    ms->g = next.g;
  }
  return step;
}

Ordering::Step Ordering::handle_other(RawEvent& ev, GenerationTables* tables, std::uint64_t gen, SchedCtx& cur,
                                      SchedCtx& next) {
  // A switch rather than a table of member pointers: the compiler can inline the handlers.
  using E = EventType;
  switch (ev.type) {
    case E::ProcsChange:
    case E::GoLabel:
    case E::UserLog: return annotation(ev, tables, gen, cur, next);
    case E::ProcStart: return proc_start(ev, tables, gen, cur, next);
    case E::ProcStop: return proc_stop(ev, tables, gen, cur, next);
    case E::ProcSteal: return proc_steal(ev, tables, gen, cur, next);
    case E::ProcStatus: return proc_status(ev, tables, gen, cur, next);
    case E::GoCreate:
    case E::GoCreateBlocked: return go_create(ev, tables, gen, cur, next);
    case E::GoCreateSyscall: return go_create_syscall(ev, tables, gen, cur, next);
    case E::GoDestroySyscall: return go_destroy_syscall(ev, tables, gen, cur, next);
    case E::GoSyscallEndBlocked: return go_syscall_end_blocked(ev, tables, gen, cur, next);
    case E::GoStatus:
    case E::GoStatusStack: return go_status(ev, tables, gen, cur, next);
    case E::STWBegin:
    case E::GCMarkAssistBegin: return go_range_begin(ev, tables, gen, cur, next);
    case E::STWEnd:
    case E::GCMarkAssistEnd: return go_range_end(ev, tables, gen, cur, next);
    case E::GCActive: return gc_active(ev, tables, gen, cur, next);
    case E::GCBegin: return gc_begin(ev, tables, gen, cur, next);
    case E::GCEnd: return gc_end(ev, tables, gen, cur, next);
    case E::GCSweepActive: return sweep_active(ev, tables, gen, cur, next);
    case E::GCSweepBegin: return sweep_begin(ev, tables, gen, cur, next);
    case E::GCSweepEnd: return sweep_end(ev, tables, gen, cur, next);
    case E::GCMarkAssistActive: return go_range_active(ev, tables, gen, cur, next);
    case E::HeapAlloc:
    case E::HeapGoal: return heap_metric(ev, tables, gen, cur, next);
    case E::UserTaskBegin: return user_task_begin(ev, tables, gen, cur, next);
    case E::UserTaskEnd: return user_task_end(ev, tables, gen, cur, next);
    case E::UserRegionBegin:
    case E::UserRegionEnd: return user_region(ev, tables, gen, cur, next);
    case E::GoSwitch:
    case E::GoSwitchDestroy: return go_switch(ev, tables, gen, cur, next);
    case E::Span:
    case E::SpanAlloc:
    case E::SpanFree:
    case E::HeapObject:
    case E::HeapObjectAlloc:
    case E::HeapObjectFree:
    case E::GoroutineStack:
    case E::GoroutineStackAlloc:
    case E::GoroutineStackFree: return alloc_free(ev, tables, gen, cur, next);
    default: return fail(ev, "bad event type found while ordering: {}", static_cast<unsigned>(ev.type));
  }
}

void Ordering::push(EventType type, Time time, GenerationTables* t, const SchedCtx& ctx, std::uint64_t a0,
                    std::uint64_t a1) {
  RawEvent ev;
  ev.type = type;
  ev.time = time;
  ev.args[0] = a0;
  ev.args[1] = a1;
  push(ev, t, ctx);
}

void Ordering::missing_g(const RawEvent& ev, GoId id) {
  fail(ev, "event {} for goroutine ({}) that doesn't exist", event_type_name(ev.type), id);
}

void Ordering::missing_p(const RawEvent& ev, ProcId id) {
  fail(ev, "uninitialized proc {} found during {}", id, event_type_name(ev.type));
}

bool Ordering::context_error(const RawEvent& ev, SchedCtx ctx, Need m, Need p, Need g) {
  if (m == Need::MustHave && ctx.m == kNoThread) return rejected(ev, "expected a thread but didn't have one");
  if (m == Need::MustNotHave && ctx.m != kNoThread) return rejected(ev, "expected no thread but had one");
  if (p == Need::MustHave && ctx.p == kNoProc) return rejected(ev, "expected a proc but didn't have one");
  if (p == Need::MustNotHave && ctx.p != kNoProc) return rejected(ev, "expected no proc but had one");
  if (g == Need::MustHave && ctx.g == kNoGoroutine) return rejected(ev, "expected a goroutine but didn't have one");
  if (g == Need::MustNotHave && ctx.g != kNoGoroutine) return rejected(ev, "expected no goroutine but had one");
  return true;
}

// --- Goroutines --------------------------------------------------------------------------

Ordering::Step Ordering::go_create(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  if (auto it = g_states_.find(cur.g); it != g_states_.end() && it->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  const auto newg = static_cast<GoId>(ev.args[0]);
  GState s;
  s.status = ev.type == EventType::GoCreateBlocked ? WireGoStatus::Waiting : WireGoStatus::Runnable;
  s.seq = Seq{gen, 0};
  if (!g_states_.emplace(newg, std::move(s)).second) {
    return fail(ev, "tried to create goroutine ({}) that already exists", newg);
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_stop_exec(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx& next) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  switch (ev.type) {
    case EventType::GoDestroy: forget_g(it); break;
    case EventType::GoStop: it->second.status = WireGoStatus::Runnable; break;
    default: it->second.status = WireGoStatus::Waiting; break;  // GoBlock
  }
  next.g = kNoGoroutine;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_start(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
  const auto gid = static_cast<GoId>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = g_states_.find(gid);
  if (it == g_states_.end() || it->second.status != WireGoStatus::Runnable || !seq.succeeds(it->second.seq)) {
    return Step::NotYet;
  }
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MustNotHave)) return Step::Failed;
  it->second.status = WireGoStatus::Running;
  it->second.seq = seq;
  next.g = gid;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_unblock(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  const auto gid = static_cast<GoId>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = g_states_.find(gid);
  if (it == g_states_.end() || it->second.status != WireGoStatus::Waiting || !seq.succeeds(it->second.seq)) {
    return Step::NotYet;
  }
  it->second.status = WireGoStatus::Runnable;
  it->second.seq = seq;
  // No context to check: anything (even sysmon, without a P) may unblock a goroutine.
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_switch(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                   SchedCtx& next) {
  // A switch is three events: unblock the next goroutine, block (or destroy) the current one,
  // start the next one. Like a GoStart it waits for the next goroutine's sequence number.
  if (!user_go(ev, cur)) return Step::Failed;
  auto* curit = existing_g(ev, cur.g);
  if (curit == nullptr) return Step::Failed;
  if (curit->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  const auto nextg = static_cast<GoId>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto nit = g_states_.find(nextg);
  if (nit == g_states_.end() || nit->second.status != WireGoStatus::Waiting || !seq.succeeds(nit->second.seq)) {
    return Step::NotYet;
  }
  push(ev, t, cur);
  if (ev.type == EventType::GoSwitch) {
    curit->second.status = WireGoStatus::Waiting;
    push(EventType::GoBlock, ev.time, t, cur);  // no reason, no stack
  } else {
    forget_g(curit);
    push(EventType::GoDestroy, ev.time, t, cur);
  }
  nit->second.status = WireGoStatus::Running;
  nit->second.seq = seq;
  next.g = nextg;
  SchedCtx start = cur;
  start.g = kNoGoroutine;
  push(EventType::GoStart, ev.time, t, start, static_cast<std::uint64_t>(nextg), ev.args[1]);
  return Step::Done;
}

Ordering::Step Ordering::go_syscall_begin(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                          SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  it->second.status = WireGoStatus::Syscall;
  auto* pit = initialized_p(ev, cur.p);
  if (pit == nullptr) return Step::Failed;
  pit->second.status = WireProcStatus::Syscall;
  // The P sequence number only disambiguates steals; on a running P it must simply follow on.
  const Seq pseq{gen, ev.args[0]};
  if (!pseq.succeeds(pit->second.seq)) {
    return fail(ev, "failed to advance {}: can't make sequence: {} (gen={}) -> {} (gen={})", event_type_name(ev.type),
                pit->second.seq.seq, pit->second.seq.gen, pseq.seq, pseq.gen);
  }
  pit->second.seq = pseq;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_syscall_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Syscall) {
    return fail(ev, "{} event for goroutine that's not Running", event_type_name(ev.type));
  }
  it->second.status = WireGoStatus::Running;
  auto* pit = initialized_p(ev, cur.p);
  if (pit == nullptr) return Step::Failed;
  if (pit->second.status != WireProcStatus::Syscall) {
    return fail(ev, "expected proc {} in state Syscall, but got {} instead", cur.p,
                proc_status_name(pit->second.status));
  }
  pit->second.status = WireProcStatus::Running;
  push(ev, t, cur);
  return Step::Done;
}

}  // namespace gtanalyze::parser::v2
