// Story building, window alignment, comparison and rendering.
#include "collector/crosscheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "analysis/summarizer.hpp"

namespace gtanalyze::collector {
namespace {

constexpr std::size_t kMaxDifferences = 10;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s.empty() ? "-" : s;
}

// Events' tables may be per generation: keep copies of what stories need as strings (done in
// StoryBuilder, which copies every string it keeps).

}  // namespace

GoStory& StoryBuilder::story(GoId id) {
  auto [it, fresh] = stories_.try_emplace(id);
  if (fresh) it->second.id = id;
  return it->second;
}

void StoryBuilder::on_event(const Event& e) {
  if (e.kind() != EventKind::StateTransition) return;
  const StateTransition st = e.state_transition();
  if (st.resource.kind != ResourceKind::Goroutine) return;
  const GoId id = st.resource.id;
  Time lo = lo_, hi = hi_;
  if (auto b = bounds_.find(id); b != bounds_.end()) std::tie(lo, hi) = b->second;
  const bool in = e.time >= lo && e.time <= hi;
  if (st.go_from == GoState::NotExist) {
    if (e.time > hi) return;
    GoStory& s = story(id);
    s = GoStory{};
    s.id = id;
    s.created = e.time >= lo_;
    s.parent = e.g;
    if (!st.stack.empty()) s.start = std::string(st.stack.back().func);
    s.final_state = st.go_to;
    return;
  }
  if (!in) {
    if (e.time < lo) {
      // Before the window: only the state carried into it. Its reason is dropped: a trace
      // starting later learns a waiting goroutine's state from GoStatus, which has none.
      GoStory& s = story(id);
      s.final_state = st.go_to;
      s.final_reason.clear();
    }
    return;
  }
  GoStory& s = story(id);
  if (st.go_to == GoState::Waiting && st.go_from == GoState::Running) s.steps.push_back(fmt::format("block({})", st.reason));
  if (st.go_to == GoState::Syscall && st.go_from == GoState::Running) s.steps.push_back("syscall");
  if (st.go_to == GoState::NotExist) s.steps.push_back("exit");
  s.final_state = st.go_to;
  s.final_reason = st.go_to == GoState::Waiting ? std::string(st.reason) : std::string();
}

bool CrosscheckReport::agree() const {
  return std::all_of(items.begin(), items.end(), [](const CrosscheckItem& i) { return i.ok(); });
}

CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events, Version version) {
  CrosscheckReport rep;
  rep.known_differences = {
      "coroutine switches (iter.Pull, Go 1.23+) change goroutines without casgstatus: GoSwitch events have no capture counterpart",
      "preemption parks a goroutine without casgstatus; the capture sees it through runtime.preemptPark",
      "GoStop reasons (runtime.Gosched vs preempted) are not captured; stops are not compared",
      "goroutines that existed when the trace started are compared from their first trace event; for the runtime's and the tracer's own goroutines the trace's story need only be a prefix of the capture's, and their final states are not compared (the tracer stops recording them while it shuts down)",
      "final states compare Runnable and Running as one (old tracers end with a synthetic GoSched of the goroutine that called trace.Stop)",
      "the trace reports a syscall that lost its P as GoSyscallEndBlocked; the capture (Go 1.26 fast path) may report GoSyscallEnd: only syscall counts are compared",
  };
  if (trace_events.empty()) {
    rep.notes.push_back("the trace has no events");
    CrosscheckItem i;
    i.name = "goroutines";
    i.compared = 1;
    i.differences = {"empty trace"};
    rep.items.push_back(std::move(i));
    return rep;
  }
  const Time t_lo = trace_events.front().time, t_hi = trace_events.back().time;

  // Trace stories over the whole trace.
  StoryBuilder tb(t_lo, t_hi);
  for (const auto& e : trace_events) tb.on_event(e);
  const auto& ts = tb.stories();

  // Clock mapping: creation times of goroutines created on both sides, first and last.
  std::map<GoId, Time> cap_create, tr_create;
  for (const auto& e : capture_events) {
    if (e.type == EventType::GoCreate || e.type == EventType::GoCreateBlocked) cap_create[static_cast<GoId>(e.args[0])] = e.time;
  }
  for (const auto& e : trace_events) {
    if (e.type == EventType::GoCreate || e.type == EventType::GoCreateBlocked) tr_create[static_cast<GoId>(e.args[0])] = e.time;
  }
  std::vector<std::pair<Time, Time>> pairs;  // trace, capture
  for (const auto& [id, t] : tr_create) {
    if (auto it = cap_create.find(id); it != cap_create.end()) pairs.emplace_back(t, it->second);
  }
  std::sort(pairs.begin(), pairs.end());
  double scale = 1.0, offset = 0.0;
  if (!pairs.empty()) {
    const auto [a_t, a_c] = pairs.front();
    const auto [b_t, b_c] = pairs.back();
    if (b_t - a_t > 1000000) scale = static_cast<double>(b_c - a_c) / static_cast<double>(b_t - a_t);
    offset = static_cast<double>(a_c) - scale * static_cast<double>(a_t);
  } else if (!capture_events.empty()) {
    rep.notes.push_back("no goroutine created on both sides: clocks aligned on the first events");
    offset = static_cast<double>(capture_events.front().time - t_lo);
  }
  auto to_cap = [&](Time t) { return static_cast<Time>(scale * static_cast<double>(t) + offset); };
  const Time c_lo = to_cap(t_lo), c_hi = to_cap(t_hi);
  rep.notes.push_back(fmt::format("window: {} trace events, {:.3f} ms; capture clock = {:.9f} x trace + {:.0f} ns ({} matched creations)",
                                  trace_events.size(), static_cast<double>(t_hi - t_lo) / 1e6, scale, offset, pairs.size()));

  StoryBuilder cb(c_lo, c_hi);
  // A goroutine that existed at the trace's start is known from its first trace event (its
  // status, written while the tracer starts up, possibly after a change the capture saw).
  {
    std::map<GoId, std::pair<Time, Time>> seen;
    for (const auto& e : trace_events) {
      if (e.kind() != EventKind::StateTransition) continue;
      const StateTransition st = e.state_transition();
      if (st.resource.kind != ResourceKind::Goroutine) continue;
      auto [it, fresh] = seen.try_emplace(st.resource.id, e.time, e.time);
      if (!fresh) it->second.second = e.time;
    }
    for (const auto& [id, span] : seen) {
      auto t = ts.find(id);
      if (t == ts.end()) continue;
      if (!t->second.created) cb.set_bounds(id, to_cap(span.first), c_hi);
    }
  }
  for (const auto& e : capture_events) cb.on_event(e);
  const auto& cs = cb.stories();

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
  for (const auto& [id, t] : ts) {
    set.compared++;
    auto it = cs.find(id);
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
    blocks.compared++;
    // The tracer stops recording its own and the runtime's goroutines while it shuts down: for
    // those the trace's story need only be a prefix of the capture's.
    const bool runtime_owned = t.start.rfind("runtime", 0) == 0 || (!t.created && c.start.rfind("runtime", 0) == 0);
    const bool prefix = runtime_owned && c.steps.size() > t.steps.size() && std::equal(t.steps.begin(), t.steps.end(), c.steps.begin());
    if (t.steps == c.steps || prefix) blocks.agreed++;
    else diff(blocks, fmt::format("g{}{}: trace [{}], capture [{}]", id, t.created ? "" : " (existed at trace start)", join(t.steps), join(c.steps)));
    fin.compared++;
    // Runnable and Running are one "schedulable" state at the window's edge: old tracers end
    // with a synthetic GoSched of the goroutine that stopped the trace, and which of the two a
    // goroutine is in at an instant is timing, not behaviour.
    auto sched = [](GoState s) { return s == GoState::Running ? GoState::Runnable : s; };
    // A runtime-owned goroutine whose story matches may still change state after the tracer's
    // last event for it (e.g. woken from "system goroutine wait" during shutdown): timing.
    const bool runtime_tail = runtime_owned && c.steps.size() >= t.steps.size() &&
                              std::equal(t.steps.begin(), t.steps.end(), c.steps.begin());
    if (runtime_tail || (sched(t.final_state) == sched(c.final_state) && t.final_reason == c.final_reason)) fin.agreed++;
    else {
      diff(fin, fmt::format("g{}: trace {} {:?}, capture {} {:?}", id, go_state_name(t.final_state), t.final_reason, go_state_name(c.final_state),
                            c.final_reason));
    }
  }
  for (const auto& [id, c] : cs) {
    if (c.created && !ts.count(id)) {
      set.compared++;
      diff(set, fmt::format("g{}: created in the window in the capture ({}), not in the trace", id, c.start));
    }
  }

  // Leak candidates by the same analysis, over the same window.
  auto leak_ids = [&](const std::vector<Event>& events, Time hi) {
    analysis::Summarizer sum;
    for (const auto& e : events) {
      if (e.time > hi) break;
      sum.on_event(e);
    }
    std::set<GoId> ids;
    for (const auto& l : sum.finish(version, {}).leak_candidates) ids.insert(l.id);
    return ids;
  };
  const auto tl = leak_ids(trace_events, t_hi);
  const auto cl = leak_ids(capture_events, c_hi);
  std::set<GoId> all = tl;
  all.insert(cl.begin(), cl.end());
  for (GoId id : all) {
    leaks.compared++;
    if (tl.count(id) && cl.count(id)) leaks.agreed++;
    else diff(leaks, fmt::format("g{}: leak candidate only in the {}", id, tl.count(id) ? "trace" : "capture"));
  }
  rep.items = {set, start, parent, blocks, fin, leaks};
  return rep;
}

Result<CrosscheckReport> crosscheck_readers(TraceReader& trace, TraceReader& capture) {
  // Trace events may point into per-generation tables that the reader drops: keep an owned copy
  // of the strings and stacks each event needs, behind a table of our own.
  struct OwnedTables final : EventTables {
    std::vector<std::string> strings{""};
    std::vector<std::vector<StackFrame>> stacks{{}};
    std::set<std::string, std::less<>> pool;
    std::string_view string(std::uint64_t id) const override { return id < strings.size() ? std::string_view(strings[id]) : ""; }
    Stack stack(std::uint64_t id) const override { return id < stacks.size() ? Stack(stacks[id]) : Stack{}; }
    std::string_view extra_string(std::uint64_t) const override { return {}; }
    std::string_view keep(std::string_view s) { return *pool.emplace(s).first; }
  };
  // Copies a goroutine transition into a synthetic GoStatus-free form the StoryBuilder reads the
  // same way: we rebuild events as the minimal types with owned strings.
  auto drain = [](TraceReader& r, OwnedTables& tables, std::vector<Event>& out) -> Status {
    Event e;
    for (;;) {
      auto more = r.next(e);
      if (!more) return more.error();
      if (!*more) return {};
      if (e.kind() != EventKind::StateTransition) {
        if (e.kind() == EventKind::Sync) {
          Event s;
          s.type = EventType::Sync;
          s.time = e.time;
          s.tables = &tables;
          out.push_back(s);
        }
        continue;
      }
      const StateTransition st = e.state_transition();
      if (st.resource.kind != ResourceKind::Goroutine) continue;
      Event c;
      c.time = e.time;
      c.g = e.g;
      c.p = e.p;
      c.m = e.m;
      c.tables = &tables;
      const auto id = static_cast<std::uint64_t>(st.resource.id);
      auto reason_id = [&] {
        tables.strings.emplace_back(st.reason);
        return tables.strings.size() - 1;
      };
      auto stack_id = [&](Stack s) -> std::uint64_t {
        if (s.empty()) return 0;
        std::vector<StackFrame> frames;
        for (const auto& f : s) frames.push_back({f.pc, tables.keep(f.func), tables.keep(f.file), f.line});
        tables.stacks.push_back(std::move(frames));
        return tables.stacks.size() - 1;
      };
      using G = GoState;
      if (st.go_from == G::NotExist) {
        c.type = st.go_to == G::Waiting ? EventType::GoCreateBlocked : st.go_to == G::Syscall ? EventType::GoCreateSyscall : EventType::GoCreate;
        c.args = {id, stack_id(st.stack), 0, 0};
      } else if (st.go_to == G::NotExist) {
        c.type = st.go_from == G::Syscall ? EventType::GoDestroySyscall : EventType::GoDestroy;
        c.g = st.resource.id;
      } else if (st.go_from == G::Running && (st.go_to == G::Waiting || st.go_to == G::Runnable)) {
        c.type = st.go_to == G::Waiting ? EventType::GoBlock : EventType::GoStop;
        c.g = st.resource.id;
        c.args = {reason_id(), stack_id(e.stack()), 0, 0};
      } else if (st.go_from == G::Running && st.go_to == G::Syscall) {
        c.type = EventType::GoSyscallBegin;
        c.g = st.resource.id;
      } else if (st.go_from == G::Syscall && st.go_to == G::Running) {
        c.type = EventType::GoSyscallEnd;
        c.g = st.resource.id;
      } else if (st.go_from == G::Syscall && st.go_to == G::Runnable) {
        c.type = EventType::GoSyscallEndBlocked;
        c.g = st.resource.id;
      } else if (st.go_from == G::Runnable && st.go_to == G::Running) {
        c.type = EventType::GoStart;
        c.args = {id, 0, 0, 0};
      } else if (st.go_from == G::Waiting && st.go_to == G::Runnable) {
        c.type = EventType::GoUnblock;
        c.args = {id, 0, 0, 0};
      } else {
        c.type = EventType::GoStatus;
        c.args = {id, 0, (std::uint64_t{static_cast<std::uint8_t>(st.go_from)} << 32) | static_cast<std::uint64_t>(st.go_to == G::Runnable ? 1 : st.go_to == G::Running ? 2 : st.go_to == G::Syscall ? 3 : st.go_to == G::Waiting ? 4 : 0), 0};
      }
      out.push_back(c);
    }
  };
  OwnedTables tt, ct;
  std::vector<Event> te, ce;
  GTA_TRY(drain(trace, tt, te));
  GTA_TRY(drain(capture, ct, ce));
  CrosscheckReport rep = crosscheck(te, ce, trace.version());
  for (const auto& w : capture.warnings()) rep.notes.push_back("capture: " + w);
  return rep;
}

std::string render_text(const CrosscheckReport& r) {
  std::string out;
  for (const auto& n : r.notes) out += "note: " + n + "\n";
  for (const auto& i : r.items) {
    out += fmt::format("{:<28} {:>5}/{:<5} {}\n", i.name, i.agreed, i.compared, i.ok() ? "agree" : "DIFFER");
    for (const auto& d : i.differences) out += "    " + d + "\n";
  }
  out += "known differences (not compared):\n";
  for (const auto& k : r.known_differences) out += "  - " + k + "\n";
  out += r.agree() ? "crosscheck: the trace and the capture agree\n" : "crosscheck: the trace and the capture DIFFER\n";
  return out;
}

std::string render_json(const CrosscheckReport& r) {
  nlohmann::json j;
  j["schema"] = "gtanalyze-crosscheck/v1";
  j["agree"] = r.agree();
  j["notes"] = r.notes;
  j["known_differences"] = r.known_differences;
  auto& items = j["items"] = nlohmann::json::array();
  for (const auto& i : r.items) {
    items.push_back({{"name", i.name}, {"compared", i.compared}, {"agreed", i.agreed}, {"agree", i.ok()}, {"differences", i.differences}});
  }
  return j.dump(2) + "\n";
}

}  // namespace gtanalyze::collector
