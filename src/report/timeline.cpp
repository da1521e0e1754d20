// The timeline's second pass: draws what the events say on Perfetto tracks (see timeline.hpp and
// docs/perfetto.md). Each track keeps what should be open on it — a slice at depth 0 and the ranges
// nested in it — and the writer sees only changes inside the window, so a window is drawn by
// opening what is open at its start and closing everything at its end.
#include "report/timeline.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <climits>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "base/name_regex.hpp"
#include "report/timeline_plan.hpp"

namespace gtanalyze::report {
namespace {

// What a goroutine is drawn doing: its state, with a syscall that lost its P apart.
enum class Drawn : std::uint8_t { None, Running, Runnable, Syscall, SyscallBlocked, Waiting };

enum class TrackKind : std::uint8_t { Goroutine, Proc, Gc, Stw };

// A track: the slice at depth 0 (`base`, none when base.name == 0) and the ranges nested in it,
// one bit each (State::range_names), drawn in the order of their bits. base.callstack is an
// Interning stack id, interned in the output only when the slice is drawn.
struct DrawnTrack {
  TrackKind kind = TrackKind::Gc;
  bool selected = true;
  std::int64_t id = 0;     // of the goroutine or P
  std::uint64_t uuid = 0;  // 0 until described
  SliceStart base;
  std::uint32_t ranges = 0;
};

struct DrawnGoroutine {
  DrawnTrack track;
  std::uint32_t name = 0;        // an Interning id
  std::uint64_t proc_slice = 0;  // the event name of its slices on P tracks, once needed
  ProcId on_p = kNoProc;         // while running
  ProcId syscall_p = kNoProc;    // the P its syscall began on (kept after losing it, as Go does)
  Drawn state = Drawn::None;
};

Drawn drawn(GoState s) {
  switch (s) {
    case GoState::Running: return Drawn::Running;
    case GoState::Runnable: return Drawn::Runnable;
    case GoState::Syscall: return Drawn::Syscall;
    case GoState::Waiting: return Drawn::Waiting;
    default: return Drawn::None;
  }
}

// Counters: those counted from the transitions, then those the trace's metric events set.
enum CounterIndex : std::size_t { kRunning, kRunnable, kInSyscall, kGomaxprocs, kHeap, kHeapGoal, kCounters };
constexpr std::array<std::string_view, kCounters> kCounterNames = {"Goroutines running",  "Goroutines runnable",
                                                                   "Threads in syscalls", "GOMAXPROCS",
                                                                   "Heap in use (bytes)", "Heap goal (bytes)"};

struct Counter {
  std::uint64_t uuid = 0;  // 0 until described
  std::int64_t value = 0;
  std::int64_t drawn = std::numeric_limits<std::int64_t>::min();
  bool known = false;  // a metric is drawn once the trace has given it
};

constexpr std::size_t kMaxRanges = 32;  // distinct range names drawn (Go has a handful)

}  // namespace

struct Timeline::State {
  State(TimelinePlan plan, const TimelineOptions& options, PerfettoWriter& writer);

  bool on_event(const Event& ev);
  void on_sync(const Event& ev);
  void on_goroutine(const Event& ev, const StateChange& st);
  void leave(DrawnGoroutine& g, Time t);
  void enter(const Event& ev, DrawnGoroutine& g, GoId id, GoState from, GoState to);
  void on_proc(const Event& ev, const StateChange& st);
  void on_range(const Event& ev);
  void on_metric(const Event& ev);
  void finish();

  // Goroutines.
  DrawnGoroutine& goroutine(GoId id);
  bool wanted(GoId id, std::uint32_t name);
  void draw(DrawnGoroutine& g, Time t, Drawn state, const SliceStart& start);
  std::uint64_t proc_slice_name(DrawnGoroutine& g, GoId id);
  std::uint64_t flow_from(const Event& ev, GoId target, DrawnGoroutine& g, GoState from);
  std::uint64_t state_name(Drawn state, std::uint32_t reason);

  // Tracks.
  DrawnTrack& proc(ProcId p);
  [[nodiscard]] bool visible(const DrawnTrack& tr) const { return window_open && tr.selected; }
  void describe(DrawnTrack& tr);
  std::uint64_t group(std::uint32_t name);
  void set_base(DrawnTrack& tr, Time t, const SliceStart& next);
  void set_ranges(DrawnTrack& tr, Time t, std::uint32_t ranges);
  void begin_base(DrawnTrack& tr, Time t);
  void begin_ranges(DrawnTrack& tr, Time t);
  void end_ranges(DrawnTrack& tr, Time t);
  template <class F>
  void for_each_track(F f);

  // Counters and the window.
  void set_counter(CounterIndex i, std::int64_t value, Time t);
  void add_counter(Drawn state, std::int64_t delta, Time t);
  void draw_counters(Time t);
  void open_window(Time t);
  void close_window(Time t);

  std::unique_ptr<TimelinePlan::State> plan;
  analysis::Interning& interning;
  PerfettoWriter& out;

  // The window, in trace time, and the goroutines wanted.
  std::optional<Duration> window_from, window_to;
  Time window_start = 0, window_end = std::numeric_limits<Time>::max();
  bool started = false, window_open = false, window_done = false;
  Time last = 0;
  std::unordered_set<GoId> wanted_ids;
  std::optional<base::NameRegex> wanted_group;
  std::unordered_map<std::uint32_t, bool> group_matches;  // by name id

  std::size_t next_first_seen = 0;
  std::uint32_t generation = 0;
  std::uint64_t next_uuid = 1, next_flow = 1;
  std::unordered_map<std::uint32_t, std::uint64_t> groups;  // group track by name id
  std::uint64_t procs_group = 0;
  base::IdMap<DrawnGoroutine> goroutines;
  base::IdMap<DrawnTrack> procs;
  base::IdMap<GoId> syscall_on_p;  // P → the goroutine in a syscall holding it
  DrawnTrack gc, stw;              // kinds set by the constructor
  std::vector<std::string> range_names;
  std::vector<std::uint64_t> range_events;  // event name ids, by range bit

  std::uint64_t running_name, runnable_name, syscall_name, syscall_blocked_name;
  std::vector<std::uint64_t> waiting_names;  // event names by reason (an Interning name id); 0: none yet
  std::array<Counter, kCounters> counters{};
  std::uint32_t counters_set = 0;  // a bit per counter set since they were last drawn
  Time counters_time = 0;

  AnnotationTracks annotations;
};

Timeline::State::State(TimelinePlan p, const TimelineOptions& options, PerfettoWriter& writer)
    : plan(std::move(p.state_)),
      interning(plan->interning),
      out(writer),
      window_from(options.from),
      window_to(options.to),
      wanted_ids(options.goroutines.begin(), options.goroutines.end()),
      annotations(plan->annotations, writer, next_uuid, [this](GoId g) -> std::uint64_t {
        DrawnTrack& tr = goroutine(g).track;
        if (!visible(tr)) return 0;
        describe(tr);
        return tr.uuid;
      }) {
  if (!options.group.empty()) wanted_group = base::NameRegex::checked(options.group);
  gc.kind = TrackKind::Gc;
  stw.kind = TrackKind::Stw;
  running_name = out.event_name("running");
  runnable_name = out.event_name("runnable");
  syscall_name = out.event_name("syscall");
  syscall_blocked_name = out.event_name("syscall (blocked)");
  for (std::size_t i = kRunning; i <= kInSyscall; i++) counters[i].known = true;
}

bool Timeline::State::on_event(const Event& ev) {
  if (!started) {
    started = true;
    if (ev.time < 0) out.set_time_offset(-ev.time);
    // Saturated: --from 9223372036s wrapped below the first event and drew backwards.
    const auto since_first = [&](Duration d) {
      Time t;
      return __builtin_add_overflow(ev.time, d, &t) ? std::numeric_limits<Time>::max() : t;
    };
    window_start = since_first(window_from.value_or(0));
    if (window_to) window_end = since_first(*window_to);
  }
  if (!window_open && !window_done && ev.time >= window_start) open_window(window_start);
  if (ev.time > window_end) {
    close_window(window_end);
    return false;
  }
  if (counters_set != 0 && ev.time > counters_time) draw_counters(counters_time);
  last = ev.time;
  switch (ev.kind()) {
    case EventKind::Sync: on_sync(ev); break;
    case EventKind::StateTransition: {
      const StateChange st = ev.state_change();
      if (st.kind == ResourceKind::Goroutine) on_goroutine(ev, st);
      if (st.kind == ResourceKind::Proc) on_proc(ev, st);
      break;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd: on_range(ev); break;
    case EventKind::Metric: on_metric(ev); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd:
    case EventKind::RegionBegin:
    case EventKind::RegionEnd:
    case EventKind::Log: annotations.on_event(ev); break;
    default: break;
  }
  return true;
}

// A generation begins: the goroutines it first shows in a state have been in it since now.
void Timeline::State::on_sync(const Event& ev) {
  generation++;
  interning.new_generation();
  const auto& seen = plan->first_seen;
  for (; next_first_seen < seen.size() && seen[next_first_seen].generation == generation; next_first_seen++) {
    const FirstSeen& f = seen[next_first_seen];
    DrawnGoroutine& g = goroutine(f.id);
    Drawn state = drawn(f.state);
    // Without a P, Go charges the time since the sync to syscall_block_ns.
    if (state == Drawn::Syscall && f.p == kNoProc) state = Drawn::SyscallBlocked;
    draw(g, ev.time, state, SliceStart{0, state_name(state, f.reason), f.stack, f.p, f.m, 0});
    if (state == Drawn::Running && f.p != kNoProc) {
      g.on_p = f.p;
      set_base(proc(f.p), ev.time, SliceStart{0, proc_slice_name(g, f.id)});
    }
  }
}

DrawnGoroutine& Timeline::State::goroutine(GoId id) {
  auto [entry, inserted] = goroutines.emplace(id);
  DrawnGoroutine& g = entry->second;
  if (inserted) {
    const auto* name = plan->names.find(id);
    g.name = name ? name->second : 0;
    g.track.kind = TrackKind::Goroutine;
    g.track.id = id;
    g.track.selected = wanted(id, g.name);
  }
  return g;
}

bool Timeline::State::wanted(GoId id, std::uint32_t name) {
  if (wanted_ids.empty() && !wanted_group) return true;
  if (wanted_ids.count(id) != 0) return true;
  if (!wanted_group) return false;
  auto [it, inserted] = group_matches.try_emplace(name, false);
  if (inserted) it->second = wanted_group->search(interning.name_of(name));
  return it->second;
}

std::uint64_t Timeline::State::state_name(Drawn state, std::uint32_t reason) {
  switch (state) {
    case Drawn::Running: return running_name;
    case Drawn::Runnable: return runnable_name;
    case Drawn::Syscall: return syscall_name;
    case Drawn::SyscallBlocked: return syscall_blocked_name;
    case Drawn::Waiting: break;
    case Drawn::None: return 0;
  }
  if (reason >= waiting_names.size()) waiting_names.resize(reason + std::size_t{1} + waiting_names.size() / 2);
  std::uint64_t& name = waiting_names[reason];
  if (name == 0) {
    const std::string& text = interning.name_of(reason);
    name = out.event_name(text.empty() ? "waiting" : "waiting: " + text);
  }
  return name;
}

// A goroutine's transition: out of the state it leaves, into the next, as docs/perfetto.md draws it.
void Timeline::State::on_goroutine(const Event& ev, const StateChange& st) {
  if (st.go_from == st.go_to) return;
  const GoId id = st.id;
  DrawnGoroutine* g = &goroutine(id);
  if (st.go_from == GoState::Undetermined && g->state != Drawn::None) {
    // Drawn since the sync (on_sync). Go counts a syscall without a P as blocked only until
    // this event, and as a syscall after it.
    if (g->state == Drawn::SyscallBlocked)
      draw(*g, ev.time, Drawn::Syscall, SliceStart{0, syscall_name, g->track.base.callstack, ev.p, ev.m, 0});
    if (g->state == Drawn::Syscall && ev.p != kNoProc) {
      syscall_on_p[ev.p] = id;
      g->syscall_p = ev.p;
    }
    // A status that contradicts what is drawn (a goroutine restated after it was seen in the same
    // generation: damaged traces, or an old one converted without its first Gomaxprocs) changes
    // the state at the event.
    if (g->state == drawn(st.go_to)) return;
  }
  leave(*g, ev.time);
  if (st.go_to == GoState::NotExist) {
    annotations.goroutine_ended(id, ev.time);
    draw(*g, ev.time, Drawn::None, SliceStart{});
    goroutines.erase(id);
    return;
  }
  enter(ev, *g, id, st.go_from, st.go_to);
}

// What a goroutine leaving its state leaves behind: the P it ran on, the P its syscall held. As
// Go's summary does, the P's syscall entry goes even if another goroutine's syscall has taken it
// over since (and that syscall is then never seen to lose its P).
void Timeline::State::leave(DrawnGoroutine& g, Time t) {
  if (g.on_p != kNoProc) {
    set_base(proc(g.on_p), t, SliceStart{});
    g.on_p = kNoProc;
  }
  if (g.syscall_p != kNoProc) {
    syscall_on_p.erase(g.syscall_p);
    g.syscall_p = kNoProc;
  }
}

void Timeline::State::enter(const Event& ev, DrawnGoroutine& g, GoId id, GoState from, GoState to) {
  const Time t = ev.time;
  const Drawn state = drawn(to);
  std::uint32_t reason = 0, stack = 0;
  if (state == Drawn::Waiting) {
    const analysis::Wait wait = interning.wait(ev);
    reason = wait.reason;
    stack = wait.stack;
  } else {
    stack = interning.stack(ev.transition_stack());
  }
  SliceStart start{0, state_name(state, reason), stack, ev.p, ev.m, 0};
  if (state == Drawn::Runnable) start.flow_end = flow_from(ev, id, g, from);
  draw(g, t, state, start);
  if (state == Drawn::Running && ev.p != kNoProc) {
    g.on_p = ev.p;
    set_base(proc(ev.p), t, SliceStart{0, proc_slice_name(g, id)});
  }
  if (state == Drawn::Syscall && ev.p != kNoProc) {
    syscall_on_p[ev.p] = id;
    g.syscall_p = ev.p;
  }
}

// The flow from the goroutine that made `target` runnable (created or unblocked it), when that is
// a goroutine running on a drawn track: its instant is the flow's start. Returns the flow, or 0.
std::uint64_t Timeline::State::flow_from(const Event& ev, GoId target, DrawnGoroutine& g, GoState from) {
  if (from != GoState::Waiting && from != GoState::NotExist) return 0;
  if (ev.g == kNoGoroutine || ev.g == target || !visible(g.track)) return 0;
  auto* cause = goroutines.find(ev.g);
  if (!cause || cause->second.state != Drawn::Running || !visible(cause->second.track)) return 0;
  DrawnTrack& tr = cause->second.track;
  describe(tr);
  const std::uint64_t flow = next_flow++;
  // Named on the stack: there is one for most goroutines created or unblocked.
  const std::string_view verb = from == GoState::NotExist ? "create G" : "unblock G";
  std::array<char, 32> name{};
  std::copy(verb.begin(), verb.end(), name.begin());
  char* const end = std::to_chars(name.data() + verb.size(), name.data() + name.size(), target).ptr;
  out.instant(ev.time, tr.uuid, std::string_view(name.data(), end), flow);
  return flow;
}

// A goroutine drawn in a new state from `t` (Drawn::None: no longer drawn), counted in the counters.
void Timeline::State::draw(DrawnGoroutine& g, Time t, Drawn state, const SliceStart& start) {
  add_counter(g.state, -1, t);
  add_counter(state, +1, t);
  g.state = state;
  set_base(g.track, t, start);
}

std::uint64_t Timeline::State::proc_slice_name(DrawnGoroutine& g, GoId id) {
  if (g.proc_slice == 0) {
    const std::string& name = interning.name_of(g.name);
    g.proc_slice = out.event_name("G" + std::to_string(id) + (name.empty() ? "" : " " + name));
  }
  return g.proc_slice;
}

// A P going idle while its goroutine is in a syscall: the syscall goes on without it, blocked.
void Timeline::State::on_proc(const Event& ev, const StateChange& st) {
  if (st.proc_from == st.proc_to || st.proc_to != ProcState::Idle) return;
  auto* entry = syscall_on_p.find(st.id);
  if (!entry) return;
  const GoId id = entry->second;
  syscall_on_p.erase(entry);
  auto* g = goroutines.find(id);
  if (!g || g->second.state != Drawn::Syscall) return;
  draw(g->second, ev.time, Drawn::SyscallBlocked, SliceStart{0, syscall_blocked_name});
}

// Ranges: the GC's on its track, stop-the-world pauses on theirs, the others nested in the slice of
// the goroutine or P they belong to.
void Timeline::State::on_range(const Event& ev) {
  const Range r = ev.range();
  auto known = std::find(range_names.begin(), range_names.end(), r.name);
  if (known == range_names.end()) {
    if (range_names.size() == kMaxRanges) return;
    range_names.emplace_back(r.name);
    range_events.push_back(out.event_name(r.name));
    known = range_names.end() - 1;
  }
  const std::uint32_t bit = 1u << (known - range_names.begin());
  DrawnTrack* tr = nullptr;
  if (r.scope.kind == ResourceKind::None) {
    tr = &gc;
  } else if (r.scope.kind == ResourceKind::Goroutine) {
    if (r.name.starts_with("stop-the-world")) {
      tr = &stw;
    } else if (auto* g = goroutines.find(r.scope.id)) {
      tr = &g->second.track;
    }
  } else if (r.scope.kind == ResourceKind::Proc) {
    tr = &proc(r.scope.id);
  }
  if (!tr) return;
  const bool open = ev.kind() != EventKind::RangeEnd;
  set_ranges(*tr, ev.time, open ? tr->ranges | bit : tr->ranges & ~bit);
}

void Timeline::State::on_metric(const Event& ev) {
  const Metric m = ev.metric();
  const auto value = static_cast<std::int64_t>(std::min<std::uint64_t>(m.value, INT64_MAX));
  if (ev.type == EventType::ProcsChange) set_counter(kGomaxprocs, value, ev.time);
  if (ev.type == EventType::HeapAlloc) set_counter(kHeap, value, ev.time);
  if (ev.type == EventType::HeapGoal) set_counter(kHeapGoal, value, ev.time);
}

DrawnTrack& Timeline::State::proc(ProcId p) {
  auto [entry, inserted] = procs.emplace(p);
  if (inserted) {
    entry->second.kind = TrackKind::Proc;
    entry->second.id = p;
  }
  return entry->second;
}

// A track's descriptor (and its parent's), before the first event on it.
void Timeline::State::describe(DrawnTrack& tr) {
  if (tr.uuid != 0) return;
  tr.uuid = next_uuid++;
  switch (tr.kind) {
    case TrackKind::Goroutine: {
      const std::uint32_t name = goroutines.find(tr.id)->second.name;
      const std::string& text = interning.name_of(name);
      const std::uint64_t parent = group(name);
      out.track(tr.uuid, "G" + std::to_string(tr.id) + (text.empty() ? "" : " " + text), parent);
      break;
    }
    case TrackKind::Proc:
      if (procs_group == 0) {
        procs_group = next_uuid++;
        out.track(procs_group, "Procs");
      }
      out.track(tr.uuid, "P" + std::to_string(tr.id), procs_group);
      break;
    case TrackKind::Gc: out.track(tr.uuid, "GC"); break;
    case TrackKind::Stw: out.track(tr.uuid, "Stop-the-world"); break;
  }
}

std::uint64_t Timeline::State::group(std::uint32_t name) {
  auto [it, inserted] = groups.try_emplace(name, 0);
  if (inserted) {
    it->second = next_uuid++;
    const std::string& text = interning.name_of(name);
    out.track(it->second, text.empty() ? "(unnamed)" : text);
  }
  return it->second;
}

void Timeline::State::set_base(DrawnTrack& tr, Time t, const SliceStart& next) {
  if (visible(tr)) {
    end_ranges(tr, t);
    if (tr.base.name != 0) out.end(t, tr.uuid);
  }
  tr.base = next;
  if (visible(tr)) {
    begin_base(tr, t);
    begin_ranges(tr, t);
  }
  tr.base.flow_end = 0;  // a flow ends once
}

void Timeline::State::set_ranges(DrawnTrack& tr, Time t, std::uint32_t ranges) {
  if (ranges == tr.ranges) return;
  if (visible(tr)) end_ranges(tr, t);
  tr.ranges = ranges;
  if (visible(tr)) begin_ranges(tr, t);
}

void Timeline::State::begin_base(DrawnTrack& tr, Time t) {
  if (tr.base.name == 0) return;
  describe(tr);
  SliceStart start = tr.base;
  start.track = tr.uuid;
  if (start.callstack != 0) {
    const auto stack = static_cast<std::uint32_t>(start.callstack);
    start.callstack = out.callstack(stack, interning.stack_of(stack));
  }
  out.begin(t, start);
}

void Timeline::State::begin_ranges(DrawnTrack& tr, Time t) {
  if (tr.ranges != 0) describe(tr);
  for (std::uint32_t left = tr.ranges; left != 0; left &= left - 1)
    out.begin(t, SliceStart{tr.uuid, range_events[static_cast<std::size_t>(std::countr_zero(left))]});
}

void Timeline::State::end_ranges(DrawnTrack& tr, Time t) {
  for (std::uint32_t left = tr.ranges; left != 0; left &= left - 1) out.end(t, tr.uuid);
}

template <class F>
void Timeline::State::for_each_track(F f) {
  goroutines.for_each([&](auto& e) { f(e.second.track); });
  procs.for_each([&](auto& e) { f(e.second); });
  f(gc);
  f(stw);
}

void Timeline::State::set_counter(CounterIndex i, std::int64_t value, Time t) {
  counters[i].value = value;
  counters[i].known = true;
  counters_set |= 1u << i;
  counters_time = t;
}

void Timeline::State::add_counter(Drawn state, std::int64_t delta, Time t) {
  switch (state) {
    case Drawn::Running: set_counter(kRunning, counters[kRunning].value + delta, t); break;
    case Drawn::Runnable: set_counter(kRunnable, counters[kRunnable].value + delta, t); break;
    case Drawn::Syscall:
    case Drawn::SyscallBlocked: set_counter(kInSyscall, counters[kInSyscall].value + delta, t); break;
    default: break;
  }
}

// The counters that changed, drawn once per timestamp however often they changed at it.
void Timeline::State::draw_counters(Time t) {
  const std::uint32_t set = counters_set;
  counters_set = 0;
  if (!window_open) return;
  std::array<CounterValue, kCounters> changed;
  std::size_t n = 0;
  for (std::uint32_t left = set; left != 0; left &= left - 1) {
    const auto i = static_cast<std::size_t>(std::countr_zero(left));
    Counter& c = counters[i];
    if (!c.known || c.value == c.drawn) continue;
    if (c.uuid == 0) {
      c.uuid = next_uuid++;
      out.track(c.uuid, kCounterNames[i], 0, true);
    }
    changed[n++] = {c.uuid, c.value};
    c.drawn = c.value;
  }
  if (n != 0) out.counters(t, std::span(changed).first(n));
}

void Timeline::State::open_window(Time t) {
  window_open = true;
  for_each_track([&](DrawnTrack& tr) {
    if (!tr.selected) return;
    begin_base(tr, t);
    begin_ranges(tr, t);
  });
  annotations.open_window(t);
  counters_set = (1u << kCounters) - 1;  // every counter known so far
  draw_counters(t);
}

void Timeline::State::close_window(Time t) {
  if (window_done) return;
  if (counters_set != 0) draw_counters(std::min(counters_time, t));
  if (window_open) {
    annotations.close_window(t);
    for_each_track([&](DrawnTrack& tr) {
      if (!visible(tr)) return;
      end_ranges(tr, t);
      if (tr.base.name != 0) out.end(t, tr.uuid);
    });
  }
  window_open = false;
  window_done = true;
}

void Timeline::State::finish() { close_window(std::min(last, window_end)); }

Timeline::Timeline(TimelinePlan plan, const TimelineOptions& options, PerfettoWriter& out)
    : state_(std::make_unique<State>(std::move(plan), options, out)) {}
Timeline::~Timeline() = default;

bool Timeline::on_events(std::span<const Event> events) {
  for (const Event& ev : events)
    if (!state_->on_event(ev)) return false;
  return true;
}

void Timeline::finish() { state_->finish(); }

}  // namespace gtanalyze::report
