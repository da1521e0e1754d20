// Stories, alignment at the window's edges and comparison (report/crosscheck_text.cpp
// renders the result).
#include "collector/crosscheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "analysis/same_run.hpp"
#include "analysis/summarizer.hpp"
#include "collector/capture_reader.hpp"

namespace gtanalyze::collector {
namespace {

constexpr std::size_t kMaxDifferences = 10;
constexpr std::size_t kContextSteps = 2;  // steps shown on each side of a first difference
// Pairs from which a tick clock's slope tells runs apart; fewer can be skewed by one late probe.
constexpr std::size_t kPairsToJudgeSlope = 8;

// Runnable and Running are one "schedulable" state at the window's edge: old tracers end with a
// synthetic GoSched of the goroutine that stopped the trace, and which of the two a goroutine is
// in at an instant is timing, not behaviour.
GoState schedulable_as_one(GoState s) { return s == GoState::Running ? GoState::Runnable : s; }

struct FinalState {
  GoState state = GoState::Undetermined;
  std::string_view reason;
  bool operator==(const FinalState& o) const {
    return schedulable_as_one(state) == schedulable_as_one(o.state) && reason == o.reason;
  }
};

std::vector<std::string> steps_of(const std::vector<StoryEntry>& entries, std::size_t from, std::size_t to) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < to; i++) {
    if (!entries[i].step.empty()) out.push_back(entries[i].step);
  }
  return out;
}

// The state after capture entries [s, x). A state carried into the window loses its reason: a
// trace that starts later learns a waiting goroutine's state from a status event, which has none.
FinalState state_at(const GoStory& c, std::size_t s, std::size_t x) {
  if (x > s) return {c.entries[x - 1].state, c.entries[x - 1].reason};
  if (s > 0) return {c.entries[s - 1].state, {}};
  return {};
}

// Index of the first entry at or after t (entries are in record order, nearly sorted by time).
std::size_t first_at_or_after(const std::vector<StoryEntry>& v, Time t) {
  std::size_t i = 0;
  while (i < v.size() && v[i].time < t) i++;
  return i;
}

// One past the last entry at or before t.
std::size_t end_at_or_before(const std::vector<StoryEntry>& v, Time t) {
  std::size_t i = v.size();
  while (i > 0 && v[i - 1].time > t) i--;
  return i;
}

// Which capture entries [s, x) may stand for the trace's window: s in [s_lo, s_hi], x in
// [x_lo, x_hi], x >= s.
struct Slices {
  std::size_t s_lo = 0, s_hi = 0, x_lo = 0, x_hi = 0;
};

struct Alignment {
  bool steps = false;        // some slice has the trace's steps
  bool final_state = false;  // one of those also ends in the trace's final state
  bool final_any = false;    // some slice ends in the trace's final state
};

// Tries every admissible slice. `prefix_is_enough`: the trace's steps need only begin the
// capture's (the runtime's own goroutines, which the tracer stops recording while it shuts
// down; their final states then count as agreeing).
Alignment align(const std::vector<std::string>& trace_steps, FinalState trace_final, const GoStory& c, const Slices& w,
                bool prefix_is_enough) {
  Alignment a;
  for (std::size_t s = w.s_lo; s <= w.s_hi && s <= c.entries.size(); s++) {
    std::size_t matched = 0;
    bool broken = false, extra = false;
    for (std::size_t x = s;; x++) {
      const bool whole = !broken && matched == trace_steps.size();
      if (x >= w.x_lo && x <= w.x_hi) {
        const bool final_equal = state_at(c, s, x) == trace_final;
        if (whole && !extra) {
          a.steps = true;
          a.final_state = a.final_state || final_equal;
        }
        a.final_any = a.final_any || final_equal;
      }
      if (prefix_is_enough && whole) {
        a.steps = a.final_state = true;
        return a;
      }
      if (x >= c.entries.size() || (x >= w.x_hi && !(prefix_is_enough && !broken))) break;
      const std::string& step = c.entries[x].step;
      if (step.empty()) continue;
      if (matched == trace_steps.size())
        extra = true;
      else if (!extra && trace_steps[matched] == step)
        matched++;
      else
        broken = true;
    }
  }
  return a;
}

// "… a b [c] d e …": the steps around index i, the one at i in brackets ("[end]" past the end).
std::string context(const std::vector<std::string>& steps, std::size_t i) {
  const std::size_t from = i > kContextSteps ? i - kContextSteps : 0;
  const std::size_t to = std::min(steps.size(), i + kContextSteps + 1);
  std::string out = from > 0 ? "…" : "";
  for (std::size_t k = from; k < to; k++) {
    if (!out.empty()) out += ' ';
    out += k == i ? "[" + steps[k] + "]" : steps[k];
  }
  if (i >= steps.size())
    out += out.empty() ? "[end]" : " [end]";
  else if (to < steps.size())
    out += " …";
  return out.empty() ? "-" : out;
}

StepsDifference steps_difference(GoId id, std::vector<std::string> trace, std::vector<std::string> capture) {
  std::size_t i = 0;
  while (i < trace.size() && i < capture.size() && trace[i] == capture[i]) i++;
  return {id, i, std::move(trace), std::move(capture)};
}

std::string describe(const StepsDifference& d, bool existed) {
  return fmt::format("g{}{}: step {} of {} (trace) / {} (capture) differs: trace {}; capture {}", d.goroutine,
                     existed ? " (existed at trace start)" : "", d.first + 1, d.trace.size(), d.capture.size(),
                     context(d.trace, d.first), context(d.capture, d.first));
}

using Stories = std::map<GoId, GoStory>;

const char* const kKnownDifferences[] = {
    "coroutine switches (iter.Pull, Go 1.23+) change goroutines without casgstatus: the trace's switches are left "
    "out of its stories, and coroutines (created blocked by GoCreateBlocked) are compared by origin only",
    "preemption parks a goroutine without casgstatus; the capture sees it through runtime.preemptPark",
    "GoStop reasons (runtime.Gosched vs preempted) are not captured; stops are not compared",
    "goroutines that existed when the trace started are compared from their first trace event; for the runtime's and "
    "the tracer's own goroutines the trace's story need only be a prefix of the capture's, and their final states are "
    "not compared (the tracer stops recording them while it shuts down)",
    "final states compare Runnable and Running as one (old tracers end with a synthetic GoSched of the goroutine that "
    "called trace.Stop)",
    "the trace reports a syscall that lost its P as GoSyscallEndBlocked; the capture (Go 1.26 fast path) may report "
    "GoSyscallEnd: only syscall counts are compared",
    "Go 1.21's tracer shows the dead g of a cgo program's extra M as in a syscall from the trace's start (a C thread "
    "may call into Go through it); it never changes status, so the capture never sees it: a goroutine whose only trace "
    "event is that status is not compared",
    "a goroutine that waits from before the trace started to its end has no wait reason in the trace (a status "
    "event carries none), so the trace's analysis cannot list it as a leak candidate; the capture's leak candidates "
    "and GC-proven leaks among such goroutines are not compared",
    "the two sides time one change microseconds apart: a capture change within the edge tolerance (see the clock note) "
    "of the window's start or end may count inside or outside the window, whichever matches the trace",
    "Go 1.22+ threads stop recording one by one as the trace stops: a goroutine's capture story may end at the last "
    "change of the thread that recorded its last (or of the next to last thread to stop), and that thread's next "
    "change of it may reach the capture late (descheduled between the tracer's write and the status change)",
};

// The trace's window on the capture's clock.
struct Window {
  ClockFit fit;
  Time eps = 0;             // the edge tolerance
  Time c_lo = 0, c_hi = 0;  // the trace's first and last events
  // No pair placed the trace's CPU ticks on the capture's clock: the alignment is a guess, and
  // the two windows may not even overlap.
  bool unplaced = false;
  // The next to last thread's last change (see earliest_end), or c_hi.
  Time others_stopped = 0;
};

// Threads stop recording one by one as a Go 1.22+ trace stops: within milliseconds of each other
// on a busy machine (3.5 ms seen). A thread whose last change is this close to the window's end
// stopped with it; one quiet for longer went idle, and what the capture saw it do later the trace
// should have seen too.
constexpr Time kStopBand = 10'000'000;
bool stopped_at_end(const TraceView& trace, Time last) { return last >= trace.hi - kStopBand; }

// The pairs of times the clock fit uses: the creations and exits both sides recorded.
std::vector<std::pair<Time, Time>> clock_pairs(const Stories& ts, const Stories& cs) {
  auto exit_time = [](const GoStory& s) -> std::optional<Time> {
    for (const auto& e : s.entries) {
      if (e.state == GoState::NotExist) return e.time;
    }
    return std::nullopt;
  };
  std::vector<std::pair<Time, Time>> pairs;
  for (const auto& [id, t] : ts) {
    auto it = cs.find(id);
    if (it == cs.end()) continue;
    const GoStory& c = it->second;
    if (t.created && c.created) pairs.emplace_back(t.entries.front().time, c.entries.front().time);
    const auto te = exit_time(t), ce = exit_time(c);
    if (te && ce) pairs.emplace_back(*te, *ce);
  }
  return pairs;
}

// Fits the clocks and says how in `notes`.
Window fit_window(const TraceView& trace, const Stories& cs, const std::vector<Event>& capture_events, TraceClock clock,
                  std::vector<std::string>& notes) {
  const auto pairs = clock_pairs(trace.stories, cs);
  Window w;
  ClockFit& fit = w.fit;
  fit = fit_clocks(pairs, clock);
  if (pairs.empty() && !capture_events.empty()) {
    if (clock == TraceClock::Ticks) {
      notes.push_back("no goroutine created or ended on both sides: clocks aligned on the first events");
      fit.offset = static_cast<double>(capture_events.front().time - trace.lo);
      w.unplaced = true;
    } else {
      notes.push_back("no goroutine created or ended on both sides: the clocks taken as one (both CLOCK_MONOTONIC)");
    }
  }
  w.eps = edge_tolerance(fit);
  w.c_lo = fit.to_capture(trace.lo);
  w.c_hi = fit.to_capture(trace.hi);
  w.others_stopped = w.c_hi;
  std::vector<Time> stops;
  for (const auto& [m, last] : trace.last_on_thread)
    if (stopped_at_end(trace, last)) stops.push_back(last);
  if (stops.size() >= 2) {
    std::nth_element(stops.begin(), stops.end() - 2, stops.end());
    w.others_stopped = fit.to_capture(stops[stops.size() - 2]);
  }
  const std::string mapping = clock == TraceClock::Ticks
                                  ? fmt::format("{:.9f} x trace + {:.0f} ns", fit.slope, fit.offset)
                                  : fmt::format("trace + {:.0f} ns (one clock: CLOCK_MONOTONIC)", fit.offset);
  notes.push_back(fmt::format(
      "window: {} trace events, {:.3f} ms; capture clock = {}, fitted on {} creations and exits seen by both "
      "({} outliers left out), residuals up to {:.1f} µs; edge tolerance {:.3f} ms",
      trace.events, static_cast<double>(trace.hi - trace.lo) / 1e6, mapping, fit.pairs, fit.outliers,
      static_cast<double>(fit.max_residual) / 1e3, static_cast<double>(w.eps) / 1e6));
  if (!fit.slope_sane) {
    notes.push_back(fmt::format(
        "the clock fit's slope {:.9f} is not within {} of 1, as CPU ticks scaled by their measured frequency against "
        "a monotonic clock must be: taken as 1 (mismatched pairs, or the clocks are not what the format says)",
        fit.fitted_slope, ClockFit::kMaxTickSlopeError));
  }
  return w;
}

// For a trace timed with the capture's own clock (TraceClock::Monotonic), whether the capture can
// be of the trace's run at all: one run's two sides time a change microseconds apart and overlap
// in time. Empty when they may be; else why not.
std::string same_clock_other_run(const TraceView& trace, const std::vector<Event>& capture_events,
                                 const ClockFit& fit) {
  if (fit.pairs != 0 && std::abs(fit.offset) > static_cast<double>(analysis::kMaxSameRunOffset)) {
    return fmt::format(
        "the capture times the creations and exits both saw {:.3f} s {} the trace, where one run's "
        "two sides, both timed with CLOCK_MONOTONIC, agree within microseconds: not the same run",
        std::abs(fit.offset) / 1e9, fit.offset > 0 ? "after" : "before");
  }
  if (capture_events.empty()) return {};
  const auto [first, last] = analysis::time_span(capture_events);
  return analysis::spans_apart(trace.lo, trace.hi, first, last);
}

// Why the capture is of another run than the trace, if the clocks say so; else empty.
std::string other_run(const TraceView& trace, const std::vector<Event>& capture_events, const Window& w,
                      TraceClock clock) {
  if (clock == TraceClock::Monotonic) return same_clock_other_run(trace, capture_events, w.fit);
  // One run's CPU ticks, scaled by their measured frequency, keep pace with the monotonic clock:
  // over this many pairs a slope off by more than the limit is two runs' events paired. Over
  // fewer, jitter may tilt it, but not below zero: one run's clocks both go forward.
  if (w.fit.paces_differ() && (w.fit.pairs >= kPairsToJudgeSlope || w.fit.fitted_slope <= 0)) {
    return fmt::format(
        "the creations and exits both saw keep different paces ({} pairs, slope {:.6f}): not the same run, "
        "or a trace cut before its Frequency record, whose ticks are not known as time",
        w.fit.pairs, w.fit.fitted_slope);
  }
  return {};
}

// Why the capture does not cover the trace's window, if it does not (collect attached with --pid
// or stopped by --duration or a signal while the trace ran): empty when it does.
std::string partial_capture(const std::vector<Event>& capture_events, const Window& w) {
  if (capture_events.empty()) return {};
  const auto [first, last] = analysis::time_span(capture_events);
  if (first > w.c_lo + w.eps)
    return fmt::format("it begins {:.3f} ms after the trace (collect attached while the trace ran)",
                       static_cast<double>(first - w.c_lo) / 1e6);
  if (last < w.c_hi - w.eps)
    return fmt::format("it ends {:.3f} ms before the trace (collect stopped while the trace ran)",
                       static_cast<double>(w.c_hi - last) / 1e6);
  return {};
}

CrosscheckItem named(const char* name) {
  CrosscheckItem i;
  i.name = name;
  return i;
}

// The report's items, in the order they are printed.
struct Items {
  CrosscheckItem set = named("goroutines"), start = named("start functions"), parent = named("parents"),
                 blocks = named("blocks, syscalls and exit"), fin = named("final states"),
                 leaks = named("leak candidates");
  std::set<GoId> final_agreed;  // whose final states agree, at some instant within the edge tolerance
};

void differ(CrosscheckItem& item, std::string line) {
  if (item.differences.size() < kMaxDifferences) item.differences.push_back(std::move(line));
}

// A goroutine the trace saw created and nothing more: a capture before Go 1.24 learns a new
// goroutine's id only when it next changes state.
bool never_ran(const GoStory& t) { return t.created && t.entries.size() == 1; }

// Takes a creation the capture could not name at the time the trace saw `t` created, within the
// edge tolerance; false when there is none left.
bool take_unnamed(const std::vector<Time>& unnamed, std::vector<bool>& used, const GoStory& t, const Window& w) {
  const Time born = w.fit.to_capture(t.entries.front().time);
  for (std::size_t i = 0; i < unnamed.size(); i++) {
    if (!used[i] && std::abs(unnamed[i] - born) <= w.eps) {
      used[i] = true;
      return true;
    }
  }
  return false;
}

// The dead g of a cgo program's extra M, which Go 1.21's tracer shows in a syscall from the start.
bool is_extra_m_g(const GoStory& t, Version version) {
  return version <= Version::Go1_21 && !t.created && t.entries.size() == 1 && t.entries[0].state == GoState::Syscall;
}

// Start function and parent, for a goroutine the trace saw created. A start function the trace
// does not know (its creation stack is not in it: an old-format trace cut before its stack table)
// is not compared; `unknown_starts` counts them.
void compare_origin(Items& items, GoId id, const GoStory& t, const GoStory& c, std::size_t& unknown_starts) {
  if (!t.created) return;
  if (t.start.empty()) {
    unknown_starts++;
  } else {
    items.start.compared++;
    if (t.start == c.start)
      items.start.agreed++;
    else
      differ(items.start, fmt::format("g{}: trace {:?}, capture {:?}", id, t.start, c.start));
  }
  items.parent.compared++;
  if (t.parent == c.parent)
    items.parent.agreed++;
  else
    differ(items.parent, fmt::format("g{}: trace g{}, capture g{}", id, t.parent, c.parent));
}

// When thread m recorded its last change, on the capture's clock, if it stopped with the trace.
std::optional<Time> stopped_with_trace(const TraceView& trace, const Window& w, ThreadId m) {
  const auto last = trace.last_on_thread.find(m);
  if (last == trace.last_on_thread.end() || !stopped_at_end(trace, last->second)) return std::nullopt;
  return w.fit.to_capture(last->second);
}

// The earliest a goroutine's story in the trace may end, on the capture's clock: the window's
// end, or, where both sides name threads alike, when the thread that recorded its last change
// recorded its own last, if it stopped with the trace (see kStopBand); and no later than the
// next to last such thread's last change: the goroutine's next change may be another thread's,
// and one straggling thread (descheduled while it wrote an event) can end the window
// milliseconds after the others stopped.
Time earliest_end(const GoStory& t, const TraceView& trace, const Window& w, bool same_thread_ids) {
  if (!same_thread_ids) return w.c_hi;
  const Time end = std::min(w.c_hi, w.others_stopped);
  for (auto e = t.entries.rbegin(); e != t.entries.rend(); ++e) {
    if (e->m == kNoThread) continue;
    const std::optional<Time> stop = stopped_with_trace(trace, w, e->m);
    return stop ? std::min(end, *stop) : end;
  }
  return end;
}

// Steps and final state of one goroutine both sides saw. `end`: see earliest_end(). Where both
// sides name threads alike (Go 1.22+: OS thread ids), `same_thread_ids`.
void compare_steps(Items& items, GoId id, const GoStory& t, const GoStory& c, const Window& w, Time end,
                   bool same_thread_ids) {
  // The capture entries that may stand for the trace's window: from the creation when both
  // recorded it, else from around the trace's first event of the goroutine; to around the end.
  Slices slices;
  std::size_t natural_start = 0;
  if (!(t.created && c.created)) {
    // A goroutine first mentioned by the status events that close a Go 1.22+ trace was there
    // all along: its story starts, at the latest, at the window's end.
    const Time lo = std::min(w.fit.to_capture(t.entries.front().time), w.c_hi);
    slices.s_lo = first_at_or_after(c.entries, lo - w.eps);
    slices.s_hi = first_at_or_after(c.entries, lo + w.eps);
    natural_start = first_at_or_after(c.entries, lo);
  }
  slices.x_lo = end_at_or_before(c.entries, end - w.eps);
  slices.x_hi = end_at_or_before(c.entries, w.c_hi + w.eps);
  // The thread that recorded the trace's last change may record the capture's late: descheduled
  // between the tracer's write and the status change the probe sees (8 ms seen on a busy machine).
  if (const ThreadId m = t.entries.back().m;
      same_thread_ids && m != kNoThread && slices.x_hi < c.entries.size() && c.entries[slices.x_hi].m == m)
    slices.x_hi++;
  const std::size_t natural_end = std::max(natural_start, end_at_or_before(c.entries, w.c_hi));

  const auto trace_steps = steps_of(t.entries, 0, t.entries.size());
  const FinalState trace_final{t.entries.back().state, t.entries.back().reason};
  // The tracer stops recording its own and the runtime's goroutines while it shuts down.
  // The capture's name counts where the trace has none of its own (a cut trace's creations lost
  // their stacks).
  const auto in_runtime = [](const std::string& name) { return name.rfind("runtime", 0) == 0; };
  const bool runtime_owned = in_runtime(t.start) || ((!t.created || t.start.empty()) && in_runtime(c.start));
  const Alignment a = align(trace_steps, trace_final, c, slices, runtime_owned);

  items.blocks.compared++;
  if (a.steps) {
    items.blocks.agreed++;
  } else {
    StepsDifference d = steps_difference(id, trace_steps, steps_of(c.entries, natural_start, natural_end));
    differ(items.blocks, describe(d, !t.created));
    if (items.blocks.details.size() < kMaxDifferences) items.blocks.details.push_back(std::move(d));
  }
  items.fin.compared++;
  if (a.final_state || (!a.steps && a.final_any)) {
    items.fin.agreed++;
    items.final_agreed.insert(id);
  } else {
    const FinalState cf = state_at(c, natural_start, natural_end);
    differ(items.fin, fmt::format("g{}: trace {} {:?}, capture {} {:?}", id, go_state_name(trace_final.state),
                                  trace_final.reason, go_state_name(cf.state), cf.reason));
  }
}

// Goroutines the capture saw created well inside the window (the trace must have seen them) but
// the trace does not know. Where both sides name threads alike (Go 1.22+: the OS thread id), one
// created by a thread that stopped with the trace (kStopBand), after its last change in the trace,
// is not compared. Returns how many were left out so.
std::size_t compare_capture_only(CrosscheckItem& set, const TraceView& trace, const Stories& cs, const Window& w,
                                 bool same_thread_ids) {
  std::size_t after_thread_stopped = 0;
  for (const auto& [id, c] : cs) {
    if (!c.created || trace.stories.count(id)) continue;
    const Time born = c.entries.front().time;
    if (born < w.c_lo + w.eps || born > w.c_hi - w.eps) continue;
    if (same_thread_ids) {
      const std::optional<Time> stop = stopped_with_trace(trace, w, c.created_on);
      // Strictly after: had the trace recorded the creation, that would be the thread's last change.
      if (stop && born > *stop) {
        after_thread_stopped++;
        continue;
      }
    }
    set.compared++;
    differ(set, fmt::format("g{}: created in the window in the capture ({}), not in the trace", id, c.start));
  }
  return after_thread_stopped;
}

// A goroutine the trace saw waiting from its start to its end: its status event has no reason, so
// the trace cannot tell a leak from any other wait, and its analysis lists no such candidate.
bool waits_for_unknown_reason(const Stories& ts, GoId id) {
  auto it = ts.find(id);
  // Its one entry is the status at the trace's start (restatements add none).
  if (it == ts.end() || it->second.created || it->second.entries.size() != 1) return false;
  const StoryEntry& status = it->second.entries.front();
  return status.state == GoState::Waiting && status.reason.empty();
}

// Leak candidates by the same analysis. The capture's are taken at both ends of the edge
// tolerance: a goroutine that changes state in between may count either way, and so does one
// whose final state agrees at some instant in between (a candidate follows from the final state).
void compare_leaks(CrosscheckItem& leaks, const std::set<GoId>& tl, const Stories& ts,
                   const std::set<GoId>& final_agreed, const std::vector<Event>& capture_events, Version version,
                   const Window& w, std::size_t& unknown_reasons) {
  auto leak_ids = [&](Time hi) {
    analysis::Summarizer sum;
    for (const auto& e : capture_events) {
      if (e.time > hi) break;  // the capture's records are in time order, give or take a probe's latency
      sum.on_event(e);
    }
    std::set<GoId> ids;
    for (const auto& l : sum.finish(version, {}).leak_candidates) ids.insert(l.id);
    return ids;
  };
  const auto cl_early = leak_ids(w.c_hi - w.eps), cl_late = leak_ids(w.c_hi + w.eps);
  std::set<GoId> all = tl;
  all.insert(cl_early.begin(), cl_early.end());
  all.insert(cl_late.begin(), cl_late.end());
  for (GoId id : all) {
    const bool in_trace = tl.count(id) != 0;
    if (!in_trace && waits_for_unknown_reason(ts, id)) {
      unknown_reasons++;
      continue;
    }
    leaks.compared++;
    if (in_trace == (cl_early.count(id) != 0) || in_trace == (cl_late.count(id) != 0) || final_agreed.count(id) != 0)
      leaks.agreed++;
    else
      differ(leaks, fmt::format("g{}: leak candidate only in the {}", id, in_trace ? "trace" : "capture"));
  }
}

// The goroutines the GC proved leaked: a leaked goroutine can never run again, so each one the
// trace knows must end it as a leak candidate. Those created after the trace are not compared.
CrosscheckItem compare_gc_leaked(const std::vector<GoId>& gc_leaked, const std::set<GoId>& candidates,
                                 const Stories& ts) {
  CrosscheckItem proven = named("GC-proven leaks");
  for (GoId id : gc_leaked) {
    if (!ts.count(id) || waits_for_unknown_reason(ts, id)) continue;
    proven.compared++;
    if (candidates.count(id)) {
      proven.agreed++;
    } else {
      differ(proven, fmt::format("g{}: the GC proved it leaked (the capture saw it marked leaked); the trace does not "
                                 "list it as a leak candidate",
                                 id));
    }
  }
  return proven;
}

// Appends "N TEXT" to the notes when N is not 0.
void note_count(std::vector<std::string>& notes, std::size_t n, std::string_view text) {
  if (n != 0) notes.push_back(fmt::format("{} {}", n, text));
}

}  // namespace

CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events,
                            Version version, const CaptureFacts& facts) {
  TraceViewBuilder trace;
  for (const auto& e : trace_events) trace.on_event(e);
  return crosscheck(trace.finish(version), capture_events, version, facts);
}

CrosscheckReport crosscheck(const TraceView& trace, const std::vector<Event>& capture_events, Version version,
                            const CaptureFacts& facts) {
  const std::vector<GoId>& gc_leaked = facts.gc_leaked;
  CrosscheckReport rep;
  rep.capture_gap = facts.gap;
  rep.known_differences.assign(std::begin(kKnownDifferences), std::end(kKnownDifferences));
  if (!rep.capture_gap.empty()) rep.notes.push_back("the capture is incomplete: " + rep.capture_gap);
  if (trace.stories.empty()) {
    rep.empty_trace = fmt::format("the trace holds {} event(s) and no goroutine: nothing to compare", trace.events);
    return rep;
  }
  StoryBuilder cb;
  for (const auto& e : capture_events) cb.on_event(e);
  const Stories& ts = trace.stories;
  const Stories& cs = cb.stories();
  const TraceClock clock = analysis::shares_capture_clock(version) ? TraceClock::Monotonic : TraceClock::Ticks;
  const Window w = fit_window(trace, cs, capture_events, clock, rep.notes);
  if (w.unplaced) {
    rep.trace_gap =
        "no goroutine was created or ended on both sides, so the trace's CPU ticks cannot be placed on the capture's "
        "clock (the two may not even overlap in time)";
  }
  if (auto part = partial_capture(capture_events, w); !part.empty()) {
    rep.capture_gap += (rep.capture_gap.empty() ? "" : "; ") + part;
    rep.notes.push_back("the capture is incomplete: " + part);
  }
  rep.other_run = other_run(trace, capture_events, w, clock);

  Items items;
  std::size_t extra_m_goroutines = 0, coroutines = 0, unnamed_matched = 0, unknown_starts = 0, unseen_before_attach = 0;
  std::vector<bool> unnamed_used(facts.unnamed_creations.size());
  for (const auto& [id, t] : ts) {
    auto it = cs.find(id);
    if (it == cs.end() && is_extra_m_g(t, version)) {
      extra_m_goroutines++;
      continue;
    }
    if (it == cs.end() && never_ran(t) && take_unnamed(facts.unnamed_creations, unnamed_used, t, w)) {
      unnamed_matched++;
      continue;
    }
    if (it == cs.end() && facts.blind_before_attach && !t.created && t.entries.size() == 1) {
      unseen_before_attach++;
      continue;
    }
    items.set.compared++;
    if (it == cs.end()) {
      differ(items.set, fmt::format("g{}: in the trace, not in the capture", id));
      continue;
    }
    items.set.agreed++;
    compare_origin(items, id, t, it->second, unknown_starts);
    if (t.coroutine) {  // the trace's word: a capture sees no coroutine (review: one faked it)
      coroutines++;
      continue;
    }
    const bool same_thread_ids = clock == TraceClock::Monotonic;
    compare_steps(items, id, t, it->second, w, earliest_end(t, trace, w, same_thread_ids), same_thread_ids);
  }
  note_count(rep.notes, unnamed_matched,
             "goroutine(s) created in the trace and never run are among the capture's created but never seen again, "
             "whose ids it cannot know (Go < 1.24): not compared");
  note_count(rep.notes, unknown_starts,
             "goroutine(s) created in the trace have no start function there (the trace lacks their creation stack; "
             "see its warnings): their start functions are not compared");
  note_count(rep.notes, coroutines,
             "coroutine(s) (iter.Pull): their blocks and final states are not compared (see the known differences)");
  note_count(rep.notes, extra_m_goroutines,
             "goroutine(s) only in a syscall at the trace's start and never seen again, not compared: "
             "the cgo extra M's g (see the known differences)");
  note_count(rep.notes, compare_capture_only(items.set, trace, cs, w, clock == TraceClock::Monotonic),
             "goroutine(s) the capture saw created by a thread after that thread's last change in the trace (threads "
             "stop recording one by one as the trace stops): not compared");
  note_count(rep.notes, unseen_before_attach,
             "goroutine(s) of the trace only restated, never changed, are not in the capture: it attached to a running "
             "process without its list of goroutines (stripped binary), so it sees one only at its first change; not "
             "compared");
  std::size_t unknown_reasons = 0;
  compare_leaks(items.leaks, trace.leak_candidates, ts, items.final_agreed, capture_events, version, w,
                unknown_reasons);
  note_count(rep.notes, unknown_reasons,
             "leak candidate(s) of the capture waited from before the trace started to its end, for a reason the trace "
             "does not know: not compared as leak candidates (see the known differences)");
  rep.items = {items.set, items.start, items.parent, items.blocks, items.fin, items.leaks};
  if (!gc_leaked.empty()) {
    std::string ids;
    for (GoId id : gc_leaked) ids += fmt::format(" g{}", id);
    rep.notes.push_back(fmt::format("the capture saw the GC prove {} goroutine(s) leaked:{}", gc_leaked.size(), ids));
    rep.items.push_back(compare_gc_leaked(gc_leaked, trace.leak_candidates, ts));
  }
  return rep;
}

Result<CrosscheckReport> crosscheck_readers(TraceReader& trace, CaptureReader& capture) {
  TraceViewBuilder tb;
  Event e;
  for (;;) {
    auto more = trace.next(e);
    if (!more) return more.error();
    if (!*more) break;
    tb.on_event(e);
  }
  std::vector<Event> ce;
  for (;;) {
    auto more = capture.next(e);
    if (!more) return more.error();
    if (!*more) break;
    ce.push_back(e);
  }
  // Lost records make differences meaningless: say so rather than report a disagreement.
  std::string gap;
  const Capture& cap = capture.capture();
  if (!cap.complete)
    gap = "it has no trailer (the collector did not finish)";
  else if (cap.trailer.drops() != 0)
    gap = fmt::format("the ring buffer dropped {} records (a larger --ring-mib keeps them)", cap.trailer.drops());
  const bool blind_before_attach = cap.header.attached_running && cap.trailer.initial.empty();
  CrosscheckReport rep =
      crosscheck(tb.finish(trace.version()), ce, trace.version(),
                 {std::move(gap), capture.leaked(), capture.unnamed_creations(), blind_before_attach});
  if (auto other = analysis::other_go_version(trace.version(), capture.version(), cap.header.go_minor); !other.empty())
    rep.other_run = std::move(other);
  // A clock fit of ticks against nanoseconds may pass, but its edge tolerance and its judgement of
  // paces are in nanoseconds: a window a few ticks long compared final states at the wrong instant.
  if (trace.stats().times_in_ticks)
    rep.trace_gap = "the trace's Frequency record was cut off: its times are CPU ticks, not nanoseconds";
  for (const auto& w : trace.warnings()) rep.notes.push_back("trace: " + w);
  for (const auto& w : capture.warnings()) rep.notes.push_back("capture: " + w);
  return rep;
}

}  // namespace gtanalyze::collector
