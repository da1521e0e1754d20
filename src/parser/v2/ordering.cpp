// The ordering handlers, one per group of wire events, following Go's order.go rule for rule:
// which facts make an event ready (sequence numbers, statuses), which invariants it must meet,
// and what it changes. Spare argument slots carry facts to the Event views ("smuggled" in Go).
#include "parser/v2/ordering.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/spec.hpp"

namespace gtanalyze::parser::v2 {
namespace {

std::string_view type_name(EventType t) { return event_type_name(t); }

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

// The Range name of a stop-the-world event, kept as an extra string (set_stw_name). Like
// Go, the kind id of an STWEnd is looked up in the end's generation.
std::uint64_t intern_stw_name(GenerationTables* t, std::uint64_t kind) {
  std::string name = "stop-the-world (";
  name += t->string(kind);
  name += ')';
  return t->add_extra_string(name);
}

}  // namespace

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
  // takes copies of the contexts, so that these stay in registers.
  using E = EventType;
  Step step = Step::Failed;
  switch (ev.type) {
    case E::GoStart:
      step = go_start(ev, tables, gen, cur, next);
      break;
    case E::GoDestroy:
    case E::GoStop:
    case E::GoBlock:
      step = go_stop_exec(ev, tables, gen, cur, next);
      break;
    case E::GoUnblock:
      step = go_unblock(ev, tables, gen, cur, next);
      break;
    case E::GoSyscallBegin:
      step = go_syscall_begin(ev, tables, gen, cur, next);
      break;
    case E::GoSyscallEnd:
      step = go_syscall_end(ev, tables, gen, cur, next);
      break;
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
    case E::UserLog:
      return annotation(ev, tables, gen, cur, next);
    case E::ProcStart:
      return proc_start(ev, tables, gen, cur, next);
    case E::ProcStop:
      return proc_stop(ev, tables, gen, cur, next);
    case E::ProcSteal:
      return proc_steal(ev, tables, gen, cur, next);
    case E::ProcStatus:
      return proc_status(ev, tables, gen, cur, next);
    case E::GoCreate:
    case E::GoCreateBlocked:
      return go_create(ev, tables, gen, cur, next);
    case E::GoCreateSyscall:
      return go_create_syscall(ev, tables, gen, cur, next);
    case E::GoDestroySyscall:
      return go_destroy_syscall(ev, tables, gen, cur, next);
    case E::GoSyscallEndBlocked:
      return go_syscall_end_blocked(ev, tables, gen, cur, next);
    case E::GoStatus:
    case E::GoStatusStack:
      return go_status(ev, tables, gen, cur, next);
    case E::STWBegin:
    case E::GCMarkAssistBegin:
      return go_range_begin(ev, tables, gen, cur, next);
    case E::STWEnd:
    case E::GCMarkAssistEnd:
      return go_range_end(ev, tables, gen, cur, next);
    case E::GCActive:
      return gc_active(ev, tables, gen, cur, next);
    case E::GCBegin:
      return gc_begin(ev, tables, gen, cur, next);
    case E::GCEnd:
      return gc_end(ev, tables, gen, cur, next);
    case E::GCSweepActive:
      return sweep_active(ev, tables, gen, cur, next);
    case E::GCSweepBegin:
      return sweep_begin(ev, tables, gen, cur, next);
    case E::GCSweepEnd:
      return sweep_end(ev, tables, gen, cur, next);
    case E::GCMarkAssistActive:
      return go_range_active(ev, tables, gen, cur, next);
    case E::HeapAlloc:
    case E::HeapGoal:
      return heap_metric(ev, tables, gen, cur, next);
    case E::UserTaskBegin:
      return user_task_begin(ev, tables, gen, cur, next);
    case E::UserTaskEnd:
      return user_task_end(ev, tables, gen, cur, next);
    case E::UserRegionBegin:
    case E::UserRegionEnd:
      return user_region(ev, tables, gen, cur, next);
    case E::GoSwitch:
    case E::GoSwitchDestroy:
      return go_switch(ev, tables, gen, cur, next);
    case E::Span: case E::SpanAlloc: case E::SpanFree: case E::HeapObject: case E::HeapObjectAlloc:
    case E::HeapObjectFree: case E::GoroutineStack: case E::GoroutineStackAlloc: case E::GoroutineStackFree:
      return alloc_free(ev, tables, gen, cur, next);
    default:
      return fail(ev, "bad event type found while ordering: {}", static_cast<unsigned>(ev.type));
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
  fail(ev, "event {} for goroutine ({}) that doesn't exist", type_name(ev.type), id);
}

void Ordering::missing_p(const RawEvent& ev, ProcId id) {
  fail(ev, "uninitialized proc {} found during {}", id, type_name(ev.type));
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

EventType Ordering::range_start(EventType t) {
  const EventType s = all_specs()[static_cast<std::size_t>(t)].start_event;
  return s == EventType::None ? t : s;
}

bool Ordering::begin_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r) {
  if (std::find(ranges.begin(), ranges.end(), r) != ranges.end()) {
    return rejected(ev, "discovered event already in-flight for when starting event {}", type_name(r.type));
  }
  ranges.push_back(r);
  return true;
}

bool Ordering::active_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r, bool initial_gen) {
  const bool has = std::find(ranges.begin(), ranges.end(), r) != ranges.end();
  if (initial_gen) {
    if (has) return rejected(ev, "found named active range already in first gen: {}", type_name(r.type));
    ranges.push_back(r);
  } else if (!has) {
    return rejected(ev, "resource is missing active range: {}", type_name(r.type));
  }
  return true;
}

bool Ordering::end_range(const RawEvent& ev, std::vector<RangeType>& ranges, std::uint64_t& desc) {
  const EventType st = all_specs()[static_cast<std::size_t>(ev.type)].start_event;
  auto it = std::find_if(ranges.begin(), ranges.end(), [st](const RangeType& r) { return r.type == st; });
  if (it == ranges.end()) return rejected(ev, "tried to end event {}, but not in-flight", type_name(st));
  desc = it->desc;
  std::iter_swap(it, ranges.end() - 1);  // swap-remove, as Go (the order of the rest matters not)
  ranges.pop_back();
  return true;
}

// --- Procs -------------------------------------------------------------------------------

Ordering::Step Ordering::proc_status(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
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

Ordering::Step Ordering::proc_start(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
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
    return fail(ev, "event {} for proc ({}) that doesn't exist", type_name(ev.type), cur.p);
  }
  if (it->second.status != WireProcStatus::Running && it->second.status != WireProcStatus::Syscall) {
    return fail(ev, "{} event for proc that's not Running or Syscall", type_name(ev.type));
  }
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  it->second.status = WireProcStatus::Idle;
  next.p = kNoProc;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::proc_steal(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
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

// --- Goroutines --------------------------------------------------------------------------

Ordering::Step Ordering::go_status(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
  const auto gid = static_cast<GoId>(ev.args[0]);
  const auto mid = static_cast<ThreadId>(ev.args[1]);
  const std::uint64_t raw = ev.args[2];
  if (raw > static_cast<std::uint64_t>(WireGoStatus::Waiting)) {
    return fail(ev, "invalid status for goroutine {}: {}", gid, raw);
  }
  const auto status = static_cast<WireGoStatus>(raw);
  GoState old_state = go_state_of(status);
  auto it = g_states_.find(gid);
  if (it != g_states_.end()) {
    if (it->second.status != status) {
      return fail(ev, "inconsistent status for goroutine {}: old {} vs. new {}", gid,
                                  go_status_name(it->second.status), go_status_name(status));
    }
    it->second.seq = Seq{gen, 0};
  } else if (gen == initial_gen_) {
    GState s;
    s.status = status;
    s.seq = Seq{gen, 0};
    g_states_.emplace(gid, std::move(s));
    old_state = GoState::Undetermined;
  } else {
    return fail(ev, "found goroutine status for new goroutine after the first generation: id={} status={}",
                                gid, go_status_name(status));
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

Ordering::Step Ordering::go_create(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  if (auto it = g_states_.find(cur.g); it != g_states_.end() && it->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
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
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
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

Ordering::Step Ordering::go_switch(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx& next) {
  // A switch is three events: unblock the next goroutine, block (or destroy) the current one,
  // start the next one. Like a GoStart it waits for the next goroutine's sequence number.
  if (!user_go(ev, cur)) return Step::Failed;
  auto* curit = existing_g(ev, cur.g);
  if (curit == nullptr) return Step::Failed;
  if (curit->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
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

Ordering::Step Ordering::go_syscall_begin(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto* it = existing_g(ev, cur.g);
  if (it == nullptr) return Step::Failed;
  if (it->second.status != WireGoStatus::Running) {
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
  }
  it->second.status = WireGoStatus::Syscall;
  auto* pit = initialized_p(ev, cur.p);
  if (pit == nullptr) return Step::Failed;
  pit->second.status = WireProcStatus::Syscall;
  // The P sequence number only disambiguates steals; on a running P it must simply follow on.
  const Seq pseq{gen, ev.args[0]};
  if (!pseq.succeeds(pit->second.seq)) {
    return fail(ev, "failed to advance {}: can't make sequence: {} (gen={}) -> {} (gen={})", type_name(ev.type),
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
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
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
    return fail(ev, "{} event for goroutine that's not Running", type_name(ev.type));
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
    return fail(ev, "{} event for goroutine that's not Syscall", type_name(ev.type));
  }
  forget_g(it);
  next.g = kNoGoroutine;
  if (cur.p != kNoProc) {
    auto pit = p_states_.find(cur.p);
    if (pit == p_states_.end()) {
      return fail(ev, "found invalid proc {} during {}", cur.p, type_name(ev.type));
    }
    if (pit->second.status != WireProcStatus::Syscall) {
      return fail(ev, "proc {} in unexpected state {} during {}", cur.p, proc_status_name(pit->second.status),
                                  type_name(ev.type));
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

// --- User annotations --------------------------------------------------------------------

Ordering::Step Ordering::user_task_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  // Tasks need no begin to be referenced and may end several times: only a second concurrent
  // begin of the same id is an error.
  const TaskId id = ev.args[0];
  if (active_tasks_.count(id) != 0) return fail(ev, "task ID conflict: {}", id);
  TaskId parent = ev.args[1];
  if (parent == kBackgroundTask) {
    // On a task, 0 means "no parent" (only regions default to the background task).
    parent = kNoTask;
    ev.args[1] = kNoTask;
  }
  if (!t->has_string(ev.args[2])) {
    return fail(ev, "invalid string ID {} for {} event", ev.args[2], type_name(ev.type));
  }
  active_tasks_[id] = TaskState{std::string(t->string(ev.args[2])), parent};
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::user_task_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const TaskId id = ev.args[0];
  if (auto it = active_tasks_.find(id); it != active_tasks_.end()) {
    // The begin may be in an earlier generation, whose strings are gone: intern the type here.
    set_task_end(ev.args, it->second.parent, t->add_extra_string(it->second.name));
    active_tasks_.erase(it);
  } else {
    set_task_end(ev.args, kNoTask, 0);
  }
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::user_region(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  const TaskId task = ev.args[0];
  if (!t->has_string(ev.args[1])) {
    return fail(ev, "invalid string ID {} for {} event", ev.args[1], type_name(ev.type));
  }
  const std::string_view name = t->string(ev.args[1]);
  if (g_states_.find(cur.g) == g_states_.end()) {
    return fail(ev, "encountered Ev{} without known state for current goroutine {}", type_name(ev.type), cur.g);
  }
  if (ev.type == EventType::UserRegionBegin) {
    g_ranges_[cur.g].regions.push_back(UserRegion{task, std::string(name)});
  } else if (auto r = g_ranges_.find(cur.g); r != g_ranges_.end() && !r->second.regions.empty()) {
    // Regions begun before tracing started are unknown: an unmatched end is fine then.
    std::vector<UserRegion>& regions = r->second.regions;
    const UserRegion& top = regions.back();
    if (top.task != task || top.name != name) {
      return fail(ev, "misuse of region in goroutine {}: region end {{{} {}}} when the inner-most active "
                                  "region start event is {{{} {}}}", cur.g, task, name, top.task, top.name);
    }
    regions.pop_back();
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::annotation(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

// --- GC ----------------------------------------------------------------------------------
// The mark phase has sequence numbers on begin and end, which may happen on different threads:
// an explicit edge so that broken timestamps cannot pair the end of one cycle with another.

Ordering::Step Ordering::gc_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (gen == initial_gen_) {
    if (gc_state_ != GcState::Undetermined) return fail(ev, "GCActive in the first generation isn't first GC event");
    gc_seq_ = seq;
    gc_state_ = GcState::Running;
    push(ev, t, cur);
    return Step::Done;
  }
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ != GcState::Running) return fail(ev, "encountered GCActive while GC was not in progress");
  gc_seq_ = seq;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::gc_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (gc_state_ == GcState::Undetermined) {
    gc_seq_ = seq;
    gc_state_ = GcState::Running;
    push(ev, t, cur);
    return Step::Done;
  }
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ == GcState::Running) return fail(ev, "encountered GCBegin while GC was already in progress");
  gc_seq_ = seq;
  gc_state_ = GcState::Running;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::gc_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ == GcState::NotRunning) return fail(ev, "encountered GCEnd when GC was not in progress");
  if (gc_state_ == GcState::Undetermined) return fail(ev, "encountered GCEnd when GC was in an undetermined state");
  gc_seq_ = seq;
  gc_state_ = GcState::NotRunning;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::heap_metric(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  auto it = p_states_.find(cur.p);
  if (it == p_states_.end()) return fail(ev, "unknown proc {} during {}", cur.p, type_name(ev.type));
  if (!begin_range(ev, it->second.ranges, RangeType{range_start(ev.type), 0})) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  // Only the current P can sweep in practice, but like mark assists the P is named explicitly.
  const auto pid = static_cast<ProcId>(ev.args[0]);
  auto it = p_states_.find(pid);
  if (it == p_states_.end()) return fail(ev, "encountered GCSweepActive for unknown proc {}", pid);
  if (!active_range(ev, it->second.ranges, RangeType{range_start(ev.type), 0}, gen == initial_gen_)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  auto it = p_states_.find(cur.p);
  if (it == p_states_.end()) return fail(ev, "unknown proc {} during {}", cur.p, type_name(ev.type));
  std::uint64_t desc = 0;
  if (!end_range(ev, it->second.ranges, desc)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  const std::uint64_t desc = ev.type == EventType::STWBegin ? ev.args[0] : 0;
  auto it = g_states_.find(cur.g);
  if (it == g_states_.end()) {
    return fail(ev, "encountered event of type {} without known state for current goroutine {}",
                                static_cast<unsigned>(ev.type), cur.g);
  }
  if (!begin_range(ev, g_ranges_[cur.g].ranges, RangeType{range_start(ev.type), desc})) return Step::Failed;
  if (ev.type == EventType::STWBegin) set_stw_name(ev.args, intern_stw_name(t, desc));
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  // Like GoStatus this may name a goroutine that is not running: no context checks.
  const auto gid = static_cast<GoId>(ev.args[0]);
  if (g_states_.find(gid) == g_states_.end()) {
    return fail(ev, "uninitialized goroutine {} found during {}", gid, type_name(ev.type));
  }
  if (!active_range(ev, g_ranges_[gid].ranges, RangeType{range_start(ev.type), 0}, gen == initial_gen_)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto it = g_states_.find(cur.g);
  if (it == g_states_.end()) {
    return fail(ev, "encountered event of type {} without known state for current goroutine {}",
                                static_cast<unsigned>(ev.type), cur.g);
  }
  std::uint64_t desc = 0;
  if (!end_range(ev, g_ranges_[cur.g].ranges, desc)) return Step::Failed;
  // STWEnd carries its kind (a string id of the begin's generation, as in Go) in args[0].
  if (ev.type == EventType::STWEnd) {
    ev.args[0] = desc;
    set_stw_name(ev.args, intern_stw_name(t, desc));
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::alloc_free(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MayHave)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

}  // namespace gtanalyze::parser::v2
