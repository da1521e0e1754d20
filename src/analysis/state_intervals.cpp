// Goroutine state intervals (see state_intervals.hpp). The rules are the timeline's
// (report/timeline.cpp), which docs/perfetto.md sets out and tests/report/perfetto_check.cpp
// holds to the --json figures; here each interval is handed on when it ends instead of drawn when
// it begins, so no first pass is needed to know who a generation shows already in a state.
#include "analysis/state_intervals.hpp"

namespace gtanalyze::analysis {
namespace {

// The interval a transition into `s` begins; nothing for the states that are not drawn.
std::optional<IntervalState> interval_state(GoState s) {
  switch (s) {
    case GoState::Running: return IntervalState::Running;
    case GoState::Runnable: return IntervalState::Runnable;
    case GoState::Syscall: return IntervalState::Syscall;
    case GoState::Waiting: return IntervalState::Waiting;
    default: return std::nullopt;
  }
}

}  // namespace

const char* interval_state_name(IntervalState s) {
  switch (s) {
    case IntervalState::Running: return "running";
    case IntervalState::Runnable: return "runnable";
    case IntervalState::Syscall: return "syscall";
    case IntervalState::SyscallBlocked: return "syscall_blocked";
    case IntervalState::Waiting: return "waiting";
  }
  return "?";
}

void StateIntervals::on_events(std::span<const Event> events) {
  for (const Event& ev : events) on_event(ev);
}

void StateIntervals::on_event(const Event& ev) {
  last_ = ev.time;
  if (ev.kind() == EventKind::Sync) {
    sync_time_ = ev.time;
    interning_.new_generation();
    return;
  }
  if (ev.kind() != EventKind::StateTransition) return;
  const StateChange st = ev.state_change();
  if (st.kind == ResourceKind::Goroutine && st.go_from != st.go_to) on_goroutine(ev, st);
  if (st.kind == ResourceKind::Proc && st.proc_from != st.proc_to && st.proc_to == ProcState::Idle)
    on_proc_idle(ev, st.id);
}

void StateIntervals::on_goroutine(const Event& ev, const StateChange& st) {
  const GoId id = st.id;
  auto* entry = open_.emplace(id).first;
  Open& g = entry->second;
  if (st.go_from == GoState::Undetermined) {
    first_seen(ev, g, id, st.go_to);
  } else {
    leave(g);
    if (g.open) end(g, ev.time);
    if (const auto state = interval_state(st.go_to)) enter(ev, g, id, *state, st.go_from);
  }
  if (!g.open) open_.erase(open_.find(id));
}

// A goroutine first seen in this generation has been in its state since the generation began, as
// Go's summary charges it; a syscall without a P is counted as blocked only until this event. One
// restated after it was seen in this generation (damaged traces, or an old one converted without
// its first Gomaxprocs) changes state at the event.
void StateIntervals::first_seen(const Event& ev, Open& g, GoId id, GoState to) {
  const Time since = g.open && g.interval.start > sync_time_ ? ev.time : sync_time_;
  auto state = interval_state(to);
  if (state == IntervalState::Syscall && ev.p == kNoProc) state = IntervalState::SyscallBlocked;
  if (!state) {
    leave(g);
    if (g.open) end(g, since);
    return;
  }
  StateInterval next{id, *state, 0, since, 0, ev.p, ev.m, 0};
  if (*state == IntervalState::Waiting) {
    const Wait wait = interning_.wait(ev);
    next.reason = wait.reason;
    next.stack = wait.stack;
  } else {
    next.stack = interning_.stack(ev.transition_stack());
  }
  // Still in the state the last generation left it in: one interval across the boundary.
  const bool same = g.open && g.interval.state == next.state && g.interval.reason == next.reason;
  if (!same) {
    if (g.open) end(g, since);
    g.interval = next;
    g.open = true;
  }
  if (g.interval.state == IntervalState::SyscallBlocked) {
    end(g, ev.time);
    next.state = IntervalState::Syscall;
    next.start = ev.time;
    g.interval = next;
    g.open = true;
  }
  if (g.interval.state == IntervalState::Syscall && ev.p != kNoProc) {
    syscall_on_p_[ev.p] = id;
    g.syscall_p = ev.p;
  }
}

void StateIntervals::enter(const Event& ev, Open& g, GoId id, IntervalState state, GoState from) {
  StateInterval next{id, state, 0, ev.time, 0, ev.p, ev.m, 0};
  if (state == IntervalState::Waiting) {
    const Wait wait = interning_.wait(ev);
    next.reason = wait.reason;
    next.stack = wait.stack;
  } else {
    next.stack = interning_.stack(ev.transition_stack());
  }
  const bool woken = from == GoState::Waiting || from == GoState::NotExist;
  if (state == IntervalState::Runnable && woken && ev.g != kNoGoroutine && ev.g != id) {
    next.cause = ev.g;
    next.cause_stack = interning_.stack(ev.stack());
  }
  g.interval = next;
  g.open = true;
  if (state == IntervalState::Syscall && ev.p != kNoProc) {
    syscall_on_p_[ev.p] = id;
    g.syscall_p = ev.p;
  }
}

// As Go's summary does, the P's syscall entry goes even if another goroutine's syscall has taken
// it over since (and that syscall is then never seen to lose its P).
void StateIntervals::leave(Open& g) {
  if (g.syscall_p == kNoProc) return;
  syscall_on_p_.erase(g.syscall_p);
  g.syscall_p = kNoProc;
}

// A P going idle while its goroutine is in a syscall: the syscall goes on without it, blocked.
void StateIntervals::on_proc_idle(const Event& ev, ProcId p) {
  auto* entry = syscall_on_p_.find(p);
  if (!entry) return;
  const GoId id = entry->second;
  syscall_on_p_.erase(entry);
  auto* g = open_.find(id);
  if (!g || !g->second.open || g->second.interval.state != IntervalState::Syscall) return;
  StateInterval next = g->second.interval;
  end(g->second, ev.time);
  next.state = IntervalState::SyscallBlocked;
  next.start = ev.time;
  next.p = kNoProc;
  g->second.interval = next;
  g->second.open = true;
}

void StateIntervals::end(Open& g, Time t) {
  g.interval.end = t;
  g.open = false;
  sink_(g.interval);
}

void StateIntervals::finish() {
  open_.for_each([&](auto& e) {
    if (e.second.open) end(e.second, last_);
  });
}

}  // namespace gtanalyze::analysis
