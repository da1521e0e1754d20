// The goroutine state machine (see goroutine_tracker.hpp). The steps follow the cases of Go 1.26's
// Summarizer.Event (summary.go) in its order; where we keep more than Go, the comment says so.
#include "analysis/goroutine_tracker.hpp"

#include <malloc.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <utility>

#include "analysis/gc_tracker.hpp"
#include "analysis/interning.hpp"
#include "base/chunked_vector.hpp"
#include "base/id_map.hpp"
#include "parser/spec.hpp"

namespace gtanalyze::analysis {

void Goroutine::finalize(Time last_ts, const Event* trigger, base::PooledMaps& times) {
  if (trigger) end = trigger->time;
  if (total == 0) total = last_ts - creation;
  if (last_start != 0) exec += last_ts - last_start;
  if (last_runnable != 0) sched_wait += last_ts - last_runnable;
  if (last_block != 0) times(block_by_reason, last_block_reason) += last_ts - last_block;
  if (last_syscall != 0) syscall += last_ts - last_syscall;
  // Go charges a syscall that lost its P to both syscall and sched wait time until the end.
  if (last_syscall_block != 0) sched_wait += last_ts - last_syscall_block;
  times.for_each(last_range, [&](std::uint32_t range, Time ts) { times(range_time, range) += last_ts - ts; });
  last_start = last_runnable = last_block = last_syscall = last_syscall_block = 0;
  last_block_reason = 0;
  times.clear(last_range);
}

namespace {

// A goroutine transition's states, read from the event.
struct States {
  GoState from, to;
};
// The same, known at compile time: the states that events of type T always change between. The
// busiest types get their own copy of transition() with these, without the branches on the states.
// Kept: callgrind go1.26-100M --json +11.2% Ir with the one copy for all (2026-12-05).
template <EventType T>
struct FixedStates {
  static constexpr parser::FixedChange kChange = parser::spec_of(T).change;
  static_assert(kChange.change.kind == ResourceKind::Goroutine);
  static constexpr GoState from = kChange.change.go_from, to = kChange.change.go_to;
};

// The tracker's working state and its per-event steps. In this file only (internal linkage): each
// step (each copy of a template one) has one caller, so the compiler inlines them all into the
// loop over the events.
struct StateMachine {
  StateMachine() : forever(interning.name("forever")) {}

  void on_events(std::span<const Event> events);
  void on_event(const Event& ev);
  template <class S>
  void transition(const Event& ev, GoId id, S states);
  template <EventType T>
  void fixed_transition(const Event& ev) {
    transition(ev, FixedStates<T>::kChange.id(ev), FixedStates<T>{});
  }
  template <class S>
  Goroutine& leave(const Event& ev, GoId id, Goroutine* g, S states, std::uint32_t wait_reason);
  void charge_since_sync(Goroutine& g, const Event& ev, GoState state, std::uint32_t wait_reason);
  template <class S>
  void enter(const Event& ev, Goroutine& g, S states, std::uint32_t wait_reason);
  void on_proc(const Event& ev, const StateChange& st);
  void on_range(const Event& ev);
  Goroutine* find(GoId id) {
    const auto* i = index.find(id);
    return i == nullptr ? nullptr : i->second;
  }
  Goroutine& appear(GoId id, Time creation);

  // User regions: rare. Out of line (noinline), and their bookkeeping in another file (the
  // RegionTracker): inlined here, they cost the loop over the events the inlining of its
  // lookups (callgrind go1.26-100M: +3% instructions, "inline-unit-growth limit reached").
  [[nodiscard]] ExecStats exec_stats(const Goroutine& g) const { return stats.expand(g); }
  [[gnu::noinline]] PackedStats snapshot(const Goroutine& g, Time t);
  [[gnu::noinline]] void on_region(const Event& ev);
  [[gnu::noinline]] void inherit_region(Goroutine& created, const Event& ev);
  [[gnu::noinline]] void end_regions(Goroutine& g, const Event* trigger);

  Interning interning;
  std::uint32_t forever = 0;  // the name of the reason "forever"
  // Chunked: growing never copies the records, so a trace with a million goroutines never needs
  // room for them twice.
  base::ChunkedVector<Goroutine> goroutines;
  // id → record: the records never move. A pointer rather than an index, so that the lookup per
  // event does not go through the chunks.
  base::IdMap<Goroutine*> index;
  base::PooledMaps times;  // the maps of the records and of their regions
  PackedStatsPool stats{times, interning};
  SchedLatencies latencies;
  // A P and the goroutine in a syscall on it, to see the P being taken away (syscall block).
  base::IdMap<GoId> syscalling_p;
  // P-scoped ranges, by P and name, attributed to the goroutine that was running when they began.
  std::map<std::pair<ProcId, std::uint32_t>, GoId> ranges_p;
  // The time of the latest Sync (or the first event): a goroutine first seen in a state has been
  // in it since then.
  Time sync_ts = 0;
  TraceFacts facts;
  GcTracker gc;
  TaskTracker tasks;
  RegionTracker regions{tasks, times, interning};
};

void StateMachine::on_events(std::span<const Event> events) {
  if (events.empty()) return;
  // Counted per batch: the per-event path does not need them.
  if (facts.events == 0) facts.first = events.front().time;
  facts.events += events.size();
  facts.last = events.back().time;
  for (const Event& ev : events) on_event(ev);
}

void StateMachine::on_event(const Event& ev) {
  if (sync_ts == 0) sync_ts = ev.time;
  // Nearly every event is one of these: each has its own copy of transition() (FixedStates).
  using E = EventType;
  switch (ev.type) {
    case E::GoStart: return fixed_transition<E::GoStart>(ev);
    case E::GoStop: return fixed_transition<E::GoStop>(ev);
    case E::GoBlock: return fixed_transition<E::GoBlock>(ev);
    case E::GoUnblock: return fixed_transition<E::GoUnblock>(ev);
    case E::GoSyscallBegin: return fixed_transition<E::GoSyscallBegin>(ev);
    case E::GoSyscallEnd: return fixed_transition<E::GoSyscallEnd>(ev);
    case E::GoSyscallEndBlocked: return fixed_transition<E::GoSyscallEndBlocked>(ev);
    default: break;
  }
  switch (ev.kind()) {
    case EventKind::Sync:
      sync_ts = ev.time;
      interning.new_generation();
      break;
    case EventKind::StateTransition: {
      const StateChange st = ev.state_change();
      if (st.kind == ResourceKind::Goroutine) {
        transition(ev, st.id, States{st.go_from, st.go_to});
      } else if (st.kind == ResourceKind::Proc) {
        on_proc(ev, st);
      }
      break;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd: on_range(ev); break;
    case EventKind::Metric:
      if (ev.type == EventType::ProcsChange) facts.gomaxprocs = ev.metric().value;
      break;
    case EventKind::RegionBegin:
    case EventKind::RegionEnd: on_region(ev); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd: tasks.on_task(ev); break;
    case EventKind::Log: tasks.on_log(ev); break;
    default: break;
  }
}

// One goroutine's transition: out of the old state, then the facts we keep beside Go's, then
// into the new state.
template <class S>
void StateMachine::transition(const Event& ev, GoId id, S states) {
  const GoState from = states.from, to = states.to;
  if (from == to) return;  // tells nothing new
  // The reason counts only for a goroutine starting to wait, and its stack as the one it waits in.
  const Wait wait = to == GoState::Waiting ? interning.wait(ev) : Wait{};
  Goroutine* known = find(id);
  // When it became runnable, if that was seen (0: not seen): the start of a scheduling latency.
  const Time runnable_since = known != nullptr && known->runnable_seen ? known->last_runnable : 0;
  Goroutine& g = leave(ev, id, known, states, wait.reason);

  // The first transition stack there is names the goroutine.
  if (to == GoState::Waiting) {
    if (g.name == 0) g.name = wait.root_name;
    g.block_stack = wait.stack;
  } else if (g.name == 0) {
    g.name = interning.root_name(ev.transition_stack());
  }
  if (from == GoState::Runnable && to == GoState::Running && runnable_since != 0)
    latencies.add(g.name, g.latencies, ev.time - runnable_since);
  g.final_state = to;
  g.final_time = ev.time;
  g.final_reason = wait.reason;
  enter(ev, g, states, wait.reason);
}

// Out of the old state: the time spent there is charged. Returns the goroutine's record, a new
// one if it appears (is created, or first seen).
template <class S>
Goroutine& StateMachine::leave(const Event& ev, GoId id, Goroutine* g, S states, std::uint32_t wait_reason) {
  const GoState from = states.from, to = states.to;
  const Time t = ev.time;
  if (from == GoState::Undetermined) {
    Goroutine& seen = appear(id, sync_ts);
    charge_since_sync(seen, ev, to, wait_reason);
    return seen;
  }
  if (from == GoState::NotExist) {
    Goroutine& created = appear(id, t);
    created.created = true;
    created.create_stack = interning.stack(ev.stack());
    if (regions.any_open()) inherit_region(created, ev);
    return created;
  }
  // A validated order never changes a goroutine it has not seen; be safe anyway.
  if (!g) g = &appear(id, sync_ts);
  switch (from) {
    case GoState::Running:
      g->exec += t - g->last_start;
      g->last_start = 0;
      break;
    case GoState::Waiting:
      if (g->last_block != 0) {
        times(g->block_by_reason, g->last_block_reason) += t - g->last_block;
        g->last_block = 0;
      }
      break;
    case GoState::Runnable:
      if (g->last_runnable != 0) {
        g->sched_wait += t - g->last_runnable;
        g->last_runnable = 0;
      }
      break;
    case GoState::Syscall:
      if (g->last_syscall == 0) break;
      if (g->last_syscall_block != 0) {
        g->syscall_block += t - g->last_syscall_block;
        g->syscall += g->last_syscall_block - g->last_syscall;
      } else {
        g->syscall += t - g->last_syscall;
      }
      g->last_syscall = 0;
      g->last_syscall_block = 0;
      syscalling_p.erase(g->syscall_p);
      break;
    default: break;
  }
  return *g;
}

// A goroutine first seen in `state` has been in it since the last sync.
void StateMachine::charge_since_sync(Goroutine& g, const Event& ev, GoState state, std::uint32_t wait_reason) {
  const Duration since_sync = ev.time - sync_ts;
  switch (state) {
    case GoState::Running: g.exec += since_sync; break;
    case GoState::Waiting: times(g.block_by_reason, wait_reason) += since_sync; break;
    case GoState::Runnable: g.sched_wait += since_sync; break;
    case GoState::Syscall:
      // With a P it has had that P since the start: syscall time; without, blocked.
      (ev.p == kNoProc ? g.syscall_block : g.syscall) += since_sync;
      break;
    default: break;
  }
}

// Into the new state: the time of entering it, to charge when it is left.
template <class S>
void StateMachine::enter(const Event& ev, Goroutine& g, S states, std::uint32_t wait_reason) {
  const GoState from = states.from, to = states.to;
  const Time t = ev.time;
  g.runnable_seen = false;
  switch (to) {
    case GoState::Running:
      g.last_start = t;
      if (g.start == 0) g.start = t;
      break;
    case GoState::Runnable:
      g.last_runnable = t;
      g.runnable_seen = from != GoState::Undetermined;
      break;
    case GoState::Waiting:
      if (wait_reason == forever) {
        g.finalize(t, &ev, times);  // blocked forever is treated like the goroutine's end
        if (g.regions.open != 0) end_regions(g, &ev);
      } else {
        g.last_block = t;
        g.last_block_reason = wait_reason;
      }
      break;
    case GoState::NotExist:
      g.finalize(t, &ev, times);
      if (g.regions.open != 0) end_regions(g, &ev);
      break;
    case GoState::Syscall:
      syscalling_p[ev.p] = g.id;
      g.syscall_p = ev.p;
      g.last_syscall = t;
      break;
    default: break;
  }
}

// A goroutine appearing (created, or first seen): a fresh record, replacing any earlier one with
// the same id as Go's map assignment does. Only its scheduling latencies stay with the id: every
// runnable->running transition counts (json-schema.md), and with the earlier goroutine gone from
// the summary, the later one's group is where those it took before it had a name can count (a
// cgo callback's goroutine takes the id of the one before it on that thread).
Goroutine& StateMachine::appear(GoId id, Time creation) {
  auto [i, inserted] = index.emplace(id);
  SchedLatencies::List latencies_of_id = 0;
  if (inserted) {
    i->second = &goroutines.emplace_back();
  } else {
    Goroutine& old = *i->second;
    times.clear(old.block_by_reason);
    times.clear(old.range_time);
    times.clear(old.last_range);
    latencies_of_id = old.latencies;
    regions.forget(old.regions);
    old = Goroutine{};
  }
  Goroutine& g = *i->second;
  g.latencies = latencies_of_id;
  g.id = id;
  g.creation = creation;
  return g;
}

void StateMachine::on_proc(const Event& ev, const StateChange& st) {
  // A P going idle while its goroutine is in a syscall: the syscall now blocks without a P.
  if (st.proc_from == st.proc_to || st.proc_to != ProcState::Idle) return;
  auto* entry = syscalling_p.find(st.id);
  if (entry == nullptr) return;
  if (Goroutine* g = find(entry->second)) g->last_syscall_block = ev.time;
  syscalling_p.erase(entry);
}

// Time in ranges, charged to goroutines as Go does.
void StateMachine::on_range(const Event& ev) {
  const Range r = ev.range();
  const EventKind kind = ev.kind();
  gc.on_range(kind, r, ev.time);
  const std::uint32_t name = interning.name(r.name);
  Goroutine* g = nullptr;
  if (kind == EventKind::RangeEnd) {
    if (r.scope.kind == ResourceKind::Goroutine) {
      g = find(r.scope.id);
    } else if (r.scope.kind == ResourceKind::Proc) {
      auto it = ranges_p.find({r.scope.id, name});
      if (it != ranges_p.end()) {
        // Charged to the goroutine only if it ends on the goroutine it began on.
        if (it->second == ev.g) g = find(it->second);
        ranges_p.erase(it);
      }
    }
    if (!g) return;
    const Time* ts = times.find(g->last_range, name);
    if (!ts || *ts == 0) return;
    times(g->range_time, name) += ev.time - *ts;
    times.erase(g->last_range, name);
    return;
  }
  if (r.scope.kind == ResourceKind::Goroutine) {
    g = find(r.scope.id);
  } else if (r.scope.kind == ResourceKind::Proc) {
    // Bound to the P, but charged to the goroutine running when it began (Go's best effort).
    g = find(ev.g);
    if (g) ranges_p[{r.scope.id, name}] = ev.g;
  }
  if (!g) return;
  if (kind == EventKind::RangeActive) {
    Time& ts = times(g->last_range, name);
    if (ts != 0) times(g->range_time, name) += sync_ts - ts;
    ts = sync_ts;
  } else {
    times(g->last_range, name) = ev.time;
  }
}

// Go's snapshotStat: the stats the goroutine would have if it ended at t. Computed on a copy of
// the record, finalized, so the arithmetic is finalize()'s own.
PackedStats StateMachine::snapshot(const Goroutine& g, Time t) {
  Goroutine copy = g;
  static_cast<PackedStats&>(copy) = stats.copy(g);
  copy.last_range = times.copy(g.last_range);
  copy.finalize(t, nullptr, times);  // frees copy.last_range
  return copy;
}

void StateMachine::on_region(const Event& ev) {
  Goroutine* g = find(ev.g);
  if (g == nullptr) return;  // a validated trace has regions only on goroutines it has seen
  if (ev.kind() == EventKind::RegionBegin) {
    regions.begin(g->id, g->regions, ev.region(), ev.time, snapshot(*g, ev.time));
  } else {
    regions.end(g->id, g->regions, ev.region(), ev.time, snapshot(*g, ev.time));
  }
}

void StateMachine::inherit_region(Goroutine& created, const Event& ev) {
  if (const Goroutine* creator = find(ev.g)) regions.inherit(creator->regions, created.id, created.regions, ev.time);
}

// Go's finalize for the regions still open, after the goroutine's own (which leaves its stats
// final): they end with it, at `trigger` or at the trace's end.
void StateMachine::end_regions(Goroutine& g, const Event* trigger) {
  regions.end_goroutine(g.id, g.regions, g, trigger ? std::optional(trigger->time) : std::nullopt,
                        !is_system_goroutine(interning.name_of(g.name)));
}

}  // namespace

struct GoroutineTracker::State : StateMachine {};

GoroutineTracker::GoroutineTracker() : state_(std::make_unique<State>()) {}
GoroutineTracker::~GoroutineTracker() = default;

void GoroutineTracker::on_events(std::span<const Event> events) { state_->on_events(events); }

namespace {

// The records freed by drain() go back to the system every so many: the allocator would keep
// them for reuse, and the summaries, made of other sizes, would take new memory on top (1 GB Go
// 1.26 trace: 280 MB peak instead of 302).
constexpr std::size_t kTrimEvery = 64 * 1024;

void release_freed_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace

void GoroutineTracker::end_gc() { state_->gc.end(state_->facts.last); }

void GoroutineTracker::drain(const std::function<void(Goroutine&)>& f) {
  State& s = *state_;
  s.gc.end(s.facts.last);
  s.index = {};  // no more lookups by id: free it before the summaries take memory
  std::vector<std::uint32_t> by_id(s.goroutines.size());
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(),
            [&s](std::uint32_t a, std::uint32_t b) { return s.goroutines[a].id < s.goroutines[b].id; });
  for (std::size_t n = 0; n < by_id.size(); n++) {
    Goroutine& g = s.goroutines[by_id[n]];
    g.finalize(s.facts.last, nullptr, s.times);
    if (g.regions.open != 0) s.end_regions(g, nullptr);
    f(g);
    s.goroutines.consumed(by_id[n]);
    if ((n + 1) % kTrimEvery == 0) release_freed_memory();
  }
  s.times = {};  // the records' maps, all spelled out in their summaries now
  release_freed_memory();
}

std::size_t GoroutineTracker::goroutine_count() const { return state_->goroutines.size(); }
const TraceFacts& GoroutineTracker::facts() const { return state_->facts; }
const GcSummary& GoroutineTracker::gc() const { return state_->gc.summary(); }
SchedLatencies& GoroutineTracker::latencies() { return state_->latencies; }
StackTable GoroutineTracker::take_stacks() { return state_->interning.take_stacks(); }
std::vector<TaskSummary> GoroutineTracker::take_tasks() { return state_->tasks.finish(); }
void GoroutineTracker::set_region_listener(RegionListener* listener) { state_->regions.set_listener(listener); }
const TaskTracker& GoroutineTracker::tasks() const { return state_->tasks; }
void GoroutineTracker::drop_logs() { state_->tasks.drop_logs(); }

std::vector<RegionSummary> GoroutineTracker::take_regions(Goroutine& g) {
  std::vector<RegionSummary> out;
  each_region(g, [&out](RegionSummary& r) { out.push_back(std::move(r)); });
  return out;
}

void GoroutineTracker::each_region(Goroutine& g, const std::function<void(RegionSummary&)>& fn) {
  if (g.regions.done != 0) state_->regions.each(g.regions, fn);
}

GoroutineSummary GoroutineTracker::summary(const Goroutine& g) const {
  const Interning& interning = state_->interning;
  GoroutineSummary gs;
  static_cast<ExecStats&>(gs) = state_->exec_stats(g);
  gs.id = g.id;
  gs.name = interning.name_of(g.name);
  gs.creation = g.creation;
  gs.start = g.start;
  gs.end = g.end;
  gs.final_state = g.final_state;
  gs.final_reason = interning.name_of(g.final_reason);
  gs.final_time = g.final_time;
  gs.created = g.created;
  gs.create_stack = g.create_stack;
  gs.block_stack = g.block_stack;
  return gs;
}

}  // namespace gtanalyze::analysis
