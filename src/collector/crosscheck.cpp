// Stories, clock fit, alignment at the window's edges, comparison and rendering.
#include "collector/crosscheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "analysis/summarizer.hpp"
#include "collector/capture_reader.hpp"

namespace gtanalyze::collector {
namespace {

constexpr std::size_t kMaxDifferences = 10;
constexpr std::size_t kContextSteps = 2;     // steps shown on each side of a first difference
constexpr Time kMinFitSpan = 1'000'000;      // pairs closer than 1 ms give no slope
constexpr Time kMinOutlierResidual = 100'000;
constexpr Time kMinEdgeTolerance = 1'000'000;

template <class T>
T median(std::vector<T> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

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
      if (matched == trace_steps.size()) extra = true;
      else if (!extra && trace_steps[matched] == step) matched++;
      else broken = true;
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
  if (i >= steps.size()) out += out.empty() ? "[end]" : " [end]";
  else if (to < steps.size()) out += " …";
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

}  // namespace

void StoryBuilder::on_event(const Event& e) {
  if (e.kind() != EventKind::StateTransition) return;
  const StateTransition st = e.state_transition();
  if (st.resource.kind != ResourceKind::Goroutine) return;
  const GoId id = st.resource.id;
  GoStory& s = stories_[id];
  StoryEntry entry{e.time, {}, st.go_to, st.go_to == GoState::Waiting ? std::string(st.reason) : std::string()};
  if (st.go_from == GoState::NotExist) {
    s = GoStory{};
    s.created = true;
    s.parent = e.g;
    if (!st.stack.empty()) s.start = std::string(st.stack.back().func);
  } else if (st.go_from == GoState::Running && st.go_to == GoState::Waiting) {
    entry.step = fmt::format("block({})", st.reason);
  } else if (st.go_from == GoState::Running && st.go_to == GoState::Syscall) {
    entry.step = "syscall";
  }
  if (st.go_to == GoState::NotExist) entry.step = "exit";
  s.id = id;
  s.entries.push_back(std::move(entry));
}

Time ClockFit::to_capture(Time trace_time) const {
  return static_cast<Time>(std::llround(slope * static_cast<double>(trace_time) + offset));
}

ClockFit fit_clocks(std::vector<std::pair<Time, Time>> pairs, double max_slope_error) {
  ClockFit fit;
  if (pairs.empty()) return fit;
  std::sort(pairs.begin(), pairs.end());
  // Slopes between pairs half the set apart: each spans a long time, and their median does not
  // move for a few bad pairs (Theil–Sen, on n/2 slopes rather than n²/2).
  std::vector<double> slopes;
  const std::size_t half = (pairs.size() + 1) / 2;
  for (std::size_t i = 0; i + half < pairs.size(); i++) {
    const auto [t0, c0] = pairs[i];
    const auto [t1, c1] = pairs[i + half];
    if (t1 - t0 >= kMinFitSpan) slopes.push_back(static_cast<double>(c1 - c0) / static_cast<double>(t1 - t0));
  }
  if (!slopes.empty()) fit.fitted_slope = median(slopes);
  fit.slope_sane = std::abs(fit.fitted_slope - 1.0) <= max_slope_error;
  fit.slope = fit.slope_sane ? fit.fitted_slope : 1.0;

  auto offset_of = [&](const std::pair<Time, Time>& p) {
    return static_cast<double>(p.second) - fit.slope * static_cast<double>(p.first);
  };
  std::vector<double> offsets;
  for (const auto& p : pairs) offsets.push_back(offset_of(p));
  const double first_offset = median(offsets);
  std::vector<double> residuals;
  for (double o : offsets) residuals.push_back(std::abs(o - first_offset));
  const double limit = std::max(static_cast<double>(kMinOutlierResidual), 10.0 * median(residuals));
  std::vector<double> kept;
  for (double o : offsets) {
    if (std::abs(o - first_offset) <= limit) kept.push_back(o);
  }
  fit.offset = median(kept);  // never empty: the median itself is within the limit
  fit.pairs = kept.size();
  fit.outliers = pairs.size() - kept.size();
  double worst = 0;
  for (double o : kept) worst = std::max(worst, std::abs(o - fit.offset));
  fit.max_residual = static_cast<Time>(std::ceil(worst));
  return fit;
}

Time edge_tolerance(const ClockFit& fit) { return std::max(kMinEdgeTolerance, 2 * fit.max_residual); }

bool CrosscheckReport::agree() const {
  return std::all_of(items.begin(), items.end(), [](const CrosscheckItem& i) { return i.ok(); });
}

Verdict CrosscheckReport::verdict() const {
  if (agree()) return Verdict::Agree;
  return capture_gap.empty() ? Verdict::Differ : Verdict::Inconclusive;
}

TraceViewBuilder::TraceViewBuilder() : summarizer_(std::make_unique<analysis::Summarizer>()) {}
TraceViewBuilder::~TraceViewBuilder() = default;

void TraceViewBuilder::on_event(const Event& e) {
  if (view_.events == 0) view_.lo = e.time;
  view_.hi = e.time;
  view_.events++;
  stories_.on_event(e);
  summarizer_->on_event(e);
}

TraceView TraceViewBuilder::finish(Version version) {
  for (const auto& l : summarizer_->finish(version, {}).leak_candidates) view_.leak_candidates.insert(l.id);
  view_.stories = stories_.take();
  return std::move(view_);
}

CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events, Version version,
                            std::string capture_gap) {
  TraceViewBuilder trace;
  for (const auto& e : trace_events) trace.on_event(e);
  return crosscheck(trace.finish(version), capture_events, version, std::move(capture_gap));
}

CrosscheckReport crosscheck(const TraceView& trace, const std::vector<Event>& capture_events, Version version, std::string capture_gap) {
  CrosscheckReport rep;
  rep.capture_gap = std::move(capture_gap);
  rep.known_differences = {
      "coroutine switches (iter.Pull, Go 1.23+) change goroutines without casgstatus: GoSwitch events have no capture counterpart",
      "preemption parks a goroutine without casgstatus; the capture sees it through runtime.preemptPark",
      "GoStop reasons (runtime.Gosched vs preempted) are not captured; stops are not compared",
      "goroutines that existed when the trace started are compared from their first trace event; for the runtime's and the tracer's own goroutines the trace's story need only be a prefix of the capture's, and their final states are not compared (the tracer stops recording them while it shuts down)",
      "final states compare Runnable and Running as one (old tracers end with a synthetic GoSched of the goroutine that called trace.Stop)",
      "the trace reports a syscall that lost its P as GoSyscallEndBlocked; the capture (Go 1.26 fast path) may report GoSyscallEnd: only syscall counts are compared",
      "Go 1.21's tracer shows the dead g of a cgo program's extra M as in a syscall from the trace's start (a C thread may call into Go through it); it never changes status, so the capture never sees it: a goroutine whose only trace event is that status is not compared",
      "the two sides time one change microseconds apart: a capture change within the edge tolerance (see the clock note) of the window's start or end may count inside or outside the window, whichever matches the trace",
  };
  if (!rep.capture_gap.empty()) rep.notes.push_back("the capture is incomplete: " + rep.capture_gap);
  if (trace.events == 0) {
    rep.notes.push_back("the trace has no events");
    CrosscheckItem i;
    i.name = "goroutines";
    i.compared = 1;
    i.differences = {"empty trace"};
    rep.items.push_back(std::move(i));
    return rep;
  }
  const Time t_lo = trace.lo, t_hi = trace.hi;
  StoryBuilder cb;
  for (const auto& e : capture_events) cb.on_event(e);
  const auto& ts = trace.stories;
  const auto& cs = cb.stories();

  // The clocks, from the creations and exits both sides recorded.
  std::vector<std::pair<Time, Time>> pairs;
  for (const auto& [id, t] : ts) {
    auto it = cs.find(id);
    if (it == cs.end()) continue;
    const GoStory& c = it->second;
    if (t.created && c.created) pairs.emplace_back(t.entries.front().time, c.entries.front().time);
    auto exit_time = [](const GoStory& s) -> std::optional<Time> {
      for (const auto& e : s.entries) {
        if (e.state == GoState::NotExist) return e.time;
      }
      return std::nullopt;
    };
    const auto te = exit_time(t), ce = exit_time(c);
    if (te && ce) pairs.emplace_back(*te, *ce);
  }
  const bool tick_clock = version <= Version::Go1_21;
  const double max_slope_error = tick_clock ? ClockFit::kMaxTickSlopeError : ClockFit::kMaxSlopeError;
  ClockFit fit = fit_clocks(pairs, max_slope_error);
  if (pairs.empty() && !capture_events.empty()) {
    rep.notes.push_back("no goroutine created or ended on both sides: clocks aligned on the first events");
    fit.offset = static_cast<double>(capture_events.front().time - t_lo);
  }
  const Time eps = edge_tolerance(fit);
  const Time c_lo = fit.to_capture(t_lo), c_hi = fit.to_capture(t_hi);
  rep.notes.push_back(fmt::format(
      "window: {} trace events, {:.3f} ms; capture clock = {:.9f} x trace + {:.0f} ns, fitted on {} creations and exits seen by both "
      "({} outliers left out), residuals up to {:.1f} µs; edge tolerance {:.3f} ms",
      trace.events, static_cast<double>(t_hi - t_lo) / 1e6, fit.slope, fit.offset, fit.pairs, fit.outliers,
      static_cast<double>(fit.max_residual) / 1e3, static_cast<double>(eps) / 1e6));
  if (!fit.slope_sane) {
    rep.notes.push_back(fmt::format("the clock fit's slope {:.9f} is not within {} of 1, as {} must be: taken as 1 (mismatched pairs, "
                                    "or the clocks are not what the formats say)",
                                    fit.fitted_slope, max_slope_error,
                                    tick_clock ? "CPU ticks scaled by their measured frequency and a monotonic clock"
                                               : "two monotonic nanosecond clocks"));
  }

  auto named = [](const char* name) {
    CrosscheckItem i;
    i.name = name;
    return i;
  };
  CrosscheckItem set = named("goroutines"), start = named("start functions"), parent = named("parents"),
                 blocks = named("blocks, syscalls and exit"), fin = named("final states"), leaks = named("leak candidates");
  auto diff = [](CrosscheckItem& item, std::string line) {
    if (item.differences.size() < kMaxDifferences) item.differences.push_back(std::move(line));
  };
  std::size_t extra_m_goroutines = 0;
  for (const auto& [id, t] : ts) {
    auto it = cs.find(id);
    if (it == cs.end() && version <= Version::Go1_21 && !t.created && t.entries.size() == 1 && t.entries[0].state == GoState::Syscall) {
      extra_m_goroutines++;  // the cgo extra M's dead g, which Go 1.21's tracer shows in a syscall
      continue;
    }
    set.compared++;
    if (it == cs.end()) {
      diff(set, fmt::format("g{}: in the trace, not in the capture", id));
      continue;
    }
    set.agreed++;
    const GoStory& c = it->second;
    if (t.created) {
      start.compared++;
      if (t.start == c.start) start.agreed++;
      else diff(start, fmt::format("g{}: trace {:?}, capture {:?}", id, t.start, c.start));
      parent.compared++;
      if (t.parent == c.parent) parent.agreed++;
      else diff(parent, fmt::format("g{}: trace g{}, capture g{}", id, t.parent, c.parent));
    }

    // The capture entries that may stand for the trace's window: from the creation when both
    // recorded it, else from around the trace's first event of the goroutine; to around the end.
    Slices w;
    std::size_t natural_start = 0;
    if (!(t.created && c.created)) {
      const Time lo = fit.to_capture(t.entries.front().time);
      w.s_lo = first_at_or_after(c.entries, lo - eps);
      w.s_hi = first_at_or_after(c.entries, lo + eps);
      natural_start = first_at_or_after(c.entries, lo);
    }
    w.x_lo = end_at_or_before(c.entries, c_hi - eps);
    w.x_hi = end_at_or_before(c.entries, c_hi + eps);
    const std::size_t natural_end = std::max(natural_start, end_at_or_before(c.entries, c_hi));

    const auto trace_steps = steps_of(t.entries, 0, t.entries.size());
    const FinalState trace_final{t.entries.back().state, t.entries.back().reason};
    // The tracer stops recording its own and the runtime's goroutines while it shuts down.
    const bool runtime_owned = t.start.rfind("runtime", 0) == 0 || (!t.created && c.start.rfind("runtime", 0) == 0);
    const Alignment a = align(trace_steps, trace_final, c, w, runtime_owned);

    blocks.compared++;
    if (a.steps) {
      blocks.agreed++;
    } else {
      StepsDifference d = steps_difference(id, trace_steps, steps_of(c.entries, natural_start, natural_end));
      diff(blocks, describe(d, !t.created));
      if (blocks.details.size() < kMaxDifferences) blocks.details.push_back(std::move(d));
    }
    fin.compared++;
    if (a.final_state || (!a.steps && a.final_any)) {
      fin.agreed++;
    } else {
      const FinalState cf = state_at(c, natural_start, natural_end);
      diff(fin, fmt::format("g{}: trace {} {:?}, capture {} {:?}", id, go_state_name(trace_final.state), trace_final.reason,
                            go_state_name(cf.state), cf.reason));
    }
  }
  if (extra_m_goroutines != 0) {
    rep.notes.push_back(fmt::format("{} goroutine(s) only in a syscall at the trace's start and never seen again, not compared: "
                                    "the cgo extra M's g (see the known differences)",
                                    extra_m_goroutines));
  }
  for (const auto& [id, c] : cs) {
    // Created well inside the window (the trace must have seen it) but unknown to the trace.
    if (!c.created || ts.count(id)) continue;
    const Time born = c.entries.front().time;
    if (born < c_lo + eps || born > c_hi - eps) continue;
    set.compared++;
    diff(set, fmt::format("g{}: created in the window in the capture ({}), not in the trace", id, c.start));
  }

  // Leak candidates by the same analysis. The capture's are taken at both ends of the edge
  // tolerance: a goroutine that changes state in between may count either way.
  auto leak_ids = [&](const std::vector<Event>& events, Time hi) {
    analysis::Summarizer sum;
    for (const auto& e : events) {
      if (e.time > hi) break;  // the capture's records are in time order, give or take a probe's latency
      sum.on_event(e);
    }
    std::set<GoId> ids;
    for (const auto& l : sum.finish(version, {}).leak_candidates) ids.insert(l.id);
    return ids;
  };
  const auto& tl = trace.leak_candidates;
  const auto cl_early = leak_ids(capture_events, c_hi - eps), cl_late = leak_ids(capture_events, c_hi + eps);
  std::set<GoId> all = tl;
  all.insert(cl_early.begin(), cl_early.end());
  all.insert(cl_late.begin(), cl_late.end());
  for (GoId id : all) {
    leaks.compared++;
    const bool in_trace = tl.count(id) != 0;
    if (in_trace == (cl_early.count(id) != 0) || in_trace == (cl_late.count(id) != 0)) leaks.agreed++;
    else diff(leaks, fmt::format("g{}: leak candidate only in the {}", id, in_trace ? "trace" : "capture"));
  }
  rep.items = {set, start, parent, blocks, fin, leaks};
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
  if (!cap.complete) gap = "it has no trailer (the collector did not finish)";
  else if (cap.trailer.drops() != 0) gap = fmt::format("the ring buffer dropped {} records (a larger --ring-mib keeps them)", cap.trailer.drops());
  CrosscheckReport rep = crosscheck(tb.finish(trace.version()), ce, trace.version(), std::move(gap));
  for (const auto& w : capture.warnings()) rep.notes.push_back("capture: " + w);
  return rep;
}

std::string render_text(const CrosscheckReport& r) {
  std::string out;
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  const bool gap = !r.capture_gap.empty();
  for (const auto& i : r.items) {
    out += fmt::format("{:<28} {:>5}/{:<5} {}\n", i.name, i.agreed, i.compared, i.ok() ? "agree" : gap ? "differ (capture incomplete)" : "DIFFER");
    for (const auto& d : i.differences) out += "    " + d + "\n";
  }
  out += "known differences (not compared):\n";
  for (const auto& k : r.known_differences) out += "  - " + k + "\n";
  switch (r.verdict()) {
    case Verdict::Agree: out += "crosscheck: the trace and the capture agree\n"; break;
    case Verdict::Differ: out += "crosscheck: the trace and the capture DIFFER\n"; break;
    case Verdict::Inconclusive:
      out += "crosscheck: INCONCLUSIVE: the capture is incomplete (" + r.capture_gap + "); the differences may be the lost records\n";
      break;
  }
  return out;
}

std::string render_json(const CrosscheckReport& r) {
  nlohmann::json j;
  j["schema"] = "gtanalyze-crosscheck/v1";
  j["agree"] = r.agree();
  const Verdict v = r.verdict();
  j["verdict"] = v == Verdict::Agree ? "agree" : v == Verdict::Differ ? "differ" : "inconclusive";
  j["capture_gap"] = r.capture_gap.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.capture_gap);
  j["notes"] = r.notes;
  j["known_differences"] = r.known_differences;
  auto& items = j["items"] = nlohmann::json::array();
  for (const auto& i : r.items) {
    auto details = nlohmann::json::array();
    for (const auto& d : i.details) {
      details.push_back({{"goroutine", d.goroutine}, {"first_difference", d.first}, {"trace", d.trace}, {"capture", d.capture}});
    }
    items.push_back({{"name", i.name},
                     {"compared", i.compared},
                     {"agreed", i.agreed},
                     {"agree", i.ok()},
                     {"differences", i.differences},
                     {"details", details}});
  }
  return j.dump(2) + "\n";
}

}  // namespace gtanalyze::collector
