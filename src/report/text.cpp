// Renders the human summary: header, time by goroutine group, the top goroutines, user
// annotations (tasks and regions), scheduler latency, GC/STW and the leak candidates with their
// creation and block sites. Lines stay within 100 columns.
#include "report/text.hpp"

#include "base/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

namespace gtanalyze::report {
namespace {

constexpr std::size_t kNameWidth = 38;

bool is_runtime_frame(const FrameInfo& f) {
  const std::string& fn = f.function;
  return fn.rfind("runtime.", 0) == 0 || fn.rfind("sync.", 0) == 0 || fn.rfind("internal/", 0) == 0;
}

// The frame a reader wants to see for a block site: the innermost frame outside the runtime and
// sync packages (the user's line), else the innermost frame.
const FrameInfo* user_frame(StackView stack) {
  for (const FrameInfo& f : stack)
    if (!is_runtime_frame(f)) return &f;
  return stack.empty() ? nullptr : &stack.front();
}

std::string site(const Summary& s, std::uint32_t stack_id, bool innermost) {
  if (stack_id >= s.stacks.size() || s.stacks[stack_id].empty()) return "(unknown: no stack in the trace)";
  const StackView stack = s.stacks[stack_id];
  const FrameInfo* f = innermost ? &stack.front() : user_frame(stack);
  if (f->function.empty()) return "(no symbols in the trace: Go 1.5 and 1.6 traces carry only PCs)";
  // Within the line: drop leading directories of long paths ("…/trace/trace_test.go").
  constexpr std::size_t kSiteWidth = 83;
  const std::string function = printable(f->function);
  std::string file = printable(f->file);
  std::string text = fmt::format("{} ({}:{})", function, file, f->line);
  for (std::size_t slash;
       text.size() > kSiteWidth && (slash = file.find('/', file.rfind("…/", 0) == 0 ? 4 : 1)) != std::string::npos;) {
    file = "…" + file.substr(slash);
    text = fmt::format("{} ({}:{})", function, file, f->line);
  }
  return text;
}

// Word-wraps text to lines of at most `width` columns, each starting with `indent`.
std::vector<std::string> wrap(const std::string& text, std::size_t width, const std::string& indent) {
  std::vector<std::string> lines;
  std::string current;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!current.empty() && indent.size() + current.size() + 1 + word.size() > width) {
      lines.push_back(indent + current);
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!current.empty()) lines.push_back(indent + current);
  return lines;
}

std::string plural(std::uint64_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

class Writer {
 public:
  explicit Writer(bool color) : color_(color) {}
  template <class... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), format, std::forward<Args>(args)...);
    out_ += '\n';
  }
  void heading(const std::string& text) {
    out_ += '\n';
    out_ += paint("1", text);
    out_ += '\n';
  }
  std::string paint(const char* code, const std::string& text) const {
    return color_ ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
  }
  std::string take() { return std::move(out_); }

 private:
  bool color_;
  std::string out_;
};

// Keeps `item` among the k first of `kept` by `before` (a strict order), which it keeps sorted.
template <class T, class Before>
void keep_first(std::vector<T>& kept, T&& item, std::size_t k, Before before) {
  auto at = std::upper_bound(kept.begin(), kept.end(), item, before);
  if (static_cast<std::size_t>(at - kept.begin()) >= k) return;
  kept.insert(at, std::forward<T>(item));
  if (kept.size() > k) kept.pop_back();
}

bool more_time(const GoroutineDigest::Top& a, const GoroutineDigest::Top& b) {
  return a.measure != b.measure ? a.measure > b.measure : a.id < b.id;
}

bool slower(const GoroutineDigest::Slow& a, const GoroutineDigest::Slow& b) {
  return a.duration != b.duration ? a.duration > b.duration : a.what < b.what;
}

void top_goroutines(Writer& w, const char* title, const std::vector<GoroutineDigest::Top>& top) {
  w.heading(title);
  for (const GoroutineDigest::Top& g : top) {
    w.line("  G{:<9} {:<46} {:>9} of {:>9} alive", g.id, fit(g.name, 46), human_duration(g.measure),
           human_duration(g.total));
  }
  if (top.empty()) w.line("  (none)");
}

// One table of span statistics (task types or region names), by name; none without a row (the
// nameless ones are not counted there).
void span_table(Writer& w, const char* column, const std::map<std::string, SpanStats>& stats) {
  if (stats.empty()) return;
  w.line("  {:<{}} {:>6} {:>9} {:>9} {:>9} {:>9}", column, kNameWidth, "count", "complete", "p50", "p99", "max");
  for (const auto& [name, st] : stats) {
    // Without a complete one there are no durations: "-", not 0.
    const bool none = st.complete == 0;
    auto d = [none](Duration v) { return none ? std::string("-") : human_duration(v); };
    w.line("  {:<{}} {:>6} {:>9} {:>9} {:>9} {:>9}", fit(name, kNameWidth), kNameWidth, st.count, st.complete,
           d(st.p50), d(st.p99), d(st.max));
  }
}

void slowest(Writer& w, const std::vector<GoroutineDigest::Slow>& spans) {
  for (const GoroutineDigest::Slow& span : spans) w.line("    {:>9}  {}", human_duration(span.duration), span.what);
}

// runtime/trace tasks and regions: counts and durations by name, and the slowest few. Nothing
// when the trace has none.
void annotations(Writer& w, const Summary& s, const GoroutineDigest& goroutines) {
  const std::uint64_t regions = goroutines.regions;
  std::vector<GoroutineDigest::Slow> slow_tasks;
  if (s.tasks.empty() && regions == 0) return;
  for (const TaskSummary& t : s.tasks)
    if (t.complete() && !t.name.empty())
      keep_first(slow_tasks,
                 GoroutineDigest::Slow{t.duration(s.first, s.last), fmt::format("task {} {}", t.id, fit(t.name, 50))},
                 GoroutineDigest::kSlowest, slower);
  w.heading(fmt::format("User annotations: {}, {} (durations of the complete ones)", plural(s.tasks.size(), "task"),
                        plural(regions, "region")));
  span_table(w, "task type", s.task_stats);
  if (!slow_tasks.empty()) w.line("  slowest tasks");
  slowest(w, slow_tasks);
  span_table(w, "region", s.region_stats);
  if (!goroutines.slowest_regions.empty()) w.line("  slowest regions");
  slowest(w, goroutines.slowest_regions);
}

// Goroutine ids, the first 8 and how many more.
std::string id_list(const std::vector<GoId>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < 8; i++) out += fmt::format("{}{}", i ? " " : "", ids[i]);
  if (ids.size() > 8) out += fmt::format(" … ({} more)", ids.size() - 8);
  return out;
}

// One leak group: what, where created and blocked, its goroutines, and what the proof says of it.
void leak_group(Writer& w, const Summary& s, const LeakGroup& g) {
  w.line("  {}", w.paint("31", fmt::format("{} × {} for ≥ {}   {}", g.count, printable(g.reason),
                                           human_duration(g.min_blocked), fit(g.name, 50))));
  w.line("      created at {}", site(s, g.create_stack, true));
  w.line("      blocked at {}", site(s, g.block_stack, false));
  w.line("      goroutines {}", id_list(g.ids));
  if (g.undecided) {
    w.line("      proven {} of the {} blocked at this stack: the profile cannot say which", g.undecided->proven,
           g.undecided->of);
  } else if (g.proven && *g.proven > 0 && *g.proven < g.count) {
    std::vector<GoId> proven;
    for (const LeakCandidate& c : s.leak_candidates)
      if (c.proven == true && std::binary_search(g.ids.begin(), g.ids.end(), c.id)) proven.push_back(c.id);
    w.line("      proven {} of {}: goroutines {}", *g.proven, g.count, id_list(proven));
  }
}

bool proven_group(const LeakGroup& g) { return g.undecided || (g.proven && *g.proven > 0); }

// How many of `n` rows a table shows when --top is `top`: all of them rather than fold one row.
std::size_t shown_before_folding(std::size_t n, std::size_t top) { return n == top + 1 ? n : top; }

// The leak candidates: proven groups first when a proof was given, then the suspected ones; the
// first `top` groups in full, the rest counted in one line (--json lists them all).
void leaks(Writer& w, const Summary& s, std::size_t top) {
  if (s.leak_groups.empty()) {
    w.heading("Leak candidates: none");
    w.line("  (no goroutine kept by --leak-ignore and --leak-min-blocked ends the trace blocked on a channel, select,");
    w.line("  lock or sync.Cond)");
    return;
  }
  std::uint64_t proven = 0;
  for (const LeakGroup& g : s.leak_groups) proven += g.proven.value_or(0);
  // A proof of another run decides nothing: it is as if none was given, and a warning says why.
  const bool proof = std::any_of(s.leak_groups.begin(), s.leak_groups.end(),
                                 [](const LeakGroup& g) { return g.proven || g.undecided; });
  w.heading(fmt::format("Leak candidates: {} in {}{}", plural(s.leak_candidates.size(), "goroutine"),
                        plural(s.leak_groups.size(), "group"),
                        proof ? fmt::format(", {} proven leaked by the GC", proven) : ""));
  if (!proof && s.leak_proof != LeakProof::None)
    w.line("  The leak proof given decides none of them (see the warnings).");
  top = shown_before_folding(s.leak_groups.size(), top);
  std::size_t shown = 0, folded_groups = 0;
  std::uint64_t folded_goroutines = 0;
  const auto show = [&](const LeakGroup& g) {
    if (shown++ < top) {
      leak_group(w, s, g);
    } else {
      folded_groups++;
      folded_goroutines += g.count;
    }
  };
  if (proof && std::any_of(s.leak_groups.begin(), s.leak_groups.end(), proven_group)) {
    w.line("  Proven leaked by the GC (from the {}): blocked on objects nothing reachable can wake.",
           s.leak_proof == LeakProof::Profile ? "goroutineleak profile" : "capture");
    for (const LeakGroup& g : s.leak_groups)
      if (proven_group(g)) show(g);
  }
  if (!std::all_of(s.leak_groups.begin(), s.leak_groups.end(), proven_group)) {
    w.line("  Suspected: they end the trace blocked where only another goroutine can free them;");
    w.line("  a trace cannot prove them unreachable{}.", proof ? ", and the proof does not name them" : "");
    for (const LeakGroup& g : s.leak_groups)
      if (!proven_group(g)) show(g);
  }
  if (folded_groups != 0) {
    w.line("  ({} more groups, {}: --top shows more, --json lists every one)", folded_groups,
           plural(folded_goroutines, "goroutine"));
  }
  if (s.leak_proof == LeakProof::None) {
    w.line(
        "  To prove them: build with GOEXPERIMENT=goroutineleakprofile (Go 1.26), then --leak-proof its goroutineleak "
        "profile or a capture of gtanalyze collect (README: Leaks).");
  }
}

}  // namespace

std::string fit(const std::string& name, std::size_t width) {
  if (name.empty()) return "(unknown)";
  const std::string text = printable(name);
  if (text.size() <= width) return text;
  // Cut at a character's first byte, not inside one ("…" counts as one of the width).
  std::size_t from = text.size() - (width - 1);
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xc0) == 0x80) from++;
  return "…" + text.substr(from);
}

std::string human_duration(Duration ns) {
  const double v = static_cast<double>(ns);
  const double a = v < 0 ? -v : v;
  // Three significant digits; a value that rounds up to 1000 of a unit takes the next unit
  // (999.7ms is "1s", not "1e+03ms"), and seconds are never written in exponent form.
  if (a < 1e3) return fmt::format("{}ns", ns);
  if (a < 999.5e3) return fmt::format("{:.3g}µs", v / 1e3);
  if (a < 999.5e6) return fmt::format("{:.3g}ms", v / 1e6);
  if (a < 999.5e9) return fmt::format("{:.3g}s", v / 1e9);
  // Longer, as Go's time.Duration spells it, to the second under an hour and to the minute above
  // ("16m40s", "2171h9m"): "7816178s" was no one's unit.
  const char* sign = v < 0 ? "-" : "";
  if (a < 3599.5e9) {
    const auto s = static_cast<std::int64_t>(a / 1e9 + 0.5);
    return fmt::format("{}{}m{}s", sign, s / 60, s % 60);
  }
  const auto m = static_cast<std::int64_t>(a / 60e9 + 0.5);
  return fmt::format("{}{}h{}m", sign, m / 60, m % 60);
}

void GoroutineDigest::goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& source) {
  created += g.created ? 1 : 0;
  ended += g.end != 0 ? 1 : 0;
  if (g.exec > 0) keep_first(by_exec, Top{g.exec, g.id, g.name, g.total}, kTopGoroutines, more_time);
  if (const Duration block = g.block(); block > 0)
    keep_first(by_block, Top{block, g.id, g.name, g.total}, kTopGoroutines, more_time);
  source.each([&](const RegionSummary& r) {
    regions++;
    if (!r.complete() || r.name.empty()) return;
    const Duration d = r.duration(head.first, head.last);
    // Only a region that can be among the slowest is worth its text.
    if (slowest_regions.size() == kSlowest && d < slowest_regions.back().duration) return;
    keep_first(slowest_regions, Slow{d, fmt::format("region {} on G{} in task {}", fit(r.name, 40), g.id, r.task)},
               kSlowest, slower);
  });
}

std::string to_text(const Summary& s, const TraceInfo& info, const TextOptions& options) {
  GoroutineDigest goroutines;
  for (const GoroutineSummary& g : s.goroutines) {
    analysis::RegionsOf regions(g.regions);
    goroutines.goroutine(s, g, regions);
  }
  return to_text(s, goroutines, info, options);
}

std::string to_text(const Summary& s, const GoroutineDigest& goroutines, const TraceInfo& info,
                    const TextOptions& options) {
  Writer w(options.color);
  const std::uint64_t created = goroutines.created, ended = goroutines.ended;
  w.line("trace        {}{}", printable(info.name), info.compression == "none" ? "" : " (" + info.compression + ")");
  if (info.capture)
    w.line("format       capture of a Go {} program (gtanalyze collect), {} bytes", version_name(s.version),
           info.bytes);
  else
    w.line("format       Go {} trace, {} bytes{}", version_name(s.version), info.bytes,
           is_generational(s.version) ? ", " + plural(info.generations, "generation") : "");  // none before 1.22
  w.line("duration     {} ({})", human_duration(s.last - s.first), plural(s.events, "event"));
  w.line("goroutines   {} seen, {} created, {} ended{}", s.goroutine_count(), created, ended,
         s.gomaxprocs ? fmt::format("; GOMAXPROCS {}", s.gomaxprocs) : "");
  w.line("warnings     {}",
         s.warnings.empty() ? std::string("none") : w.paint("33", std::to_string(s.warnings.size())));
  for (const auto& warning : s.warnings) {
    for (const std::string& l : wrap("- " + printable(warning), 100, "  ")) w.line("{}", w.paint("33", l));
  }

  // Groups by total time, the biggest first; the rest folded into one line.
  std::vector<const GroupSummary*> groups;
  for (const auto& g : s.groups) groups.push_back(&g);
  std::sort(groups.begin(), groups.end(), [](const GroupSummary* a, const GroupSummary* b) {
    return a->total != b->total ? a->total > b->total : a->name < b->name;
  });
  w.heading("Where time went, by start function (sorted by total time alive)");
  w.line("  {:<{}} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}", "start function", kNameWidth, "count", "exec", "sched",
         "block", "syscall", "gc");
  GroupSummary rest;
  const std::size_t top = shown_before_folding(groups.size(), options.top);
  for (std::size_t i = 0; i < groups.size(); i++) {
    const GroupSummary& g = *groups[i];
    if (i >= top) {
      rest.count += g.count;
      rest.exec += g.exec;
      rest.sched_wait += g.sched_wait;
      rest.block += g.block;
      rest.syscall += g.syscall + g.syscall_block;
      rest.gc += g.gc;
      continue;
    }
    w.line("  {:<{}} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}", fit(g.name, kNameWidth), kNameWidth, g.count,
           human_duration(g.exec), human_duration(g.sched_wait), human_duration(g.block),
           human_duration(g.syscall + g.syscall_block), human_duration(g.gc));
  }
  if (rest.count != 0) {
    w.line("  {:<{}} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}", fmt::format("({} more groups)", groups.size() - top),
           kNameWidth, rest.count, human_duration(rest.exec), human_duration(rest.sched_wait),
           human_duration(rest.block), human_duration(rest.syscall), human_duration(rest.gc));
  }
  top_goroutines(w, "Top goroutines by execution time", goroutines.by_exec);
  top_goroutines(w, "Top goroutines by block time", goroutines.by_block);
  annotations(w, s, goroutines);

  w.heading("Scheduler and GC");
  const LatencyStats& l = s.sched_latency;
  w.line("  latency      runnable to running, {}: p50 {}  p90 {}  p99 {}  max {}", plural(l.count, "sample"),
         human_duration(l.p50), human_duration(l.p90), human_duration(l.p99), human_duration(l.max));
  w.line("  GC           {} began in the trace", plural(s.gc.cycles, "cycle"));
  w.line("  STW          {}, total {}, max {}", plural(s.gc.stw_count, "pause"), human_duration(s.gc.stw_total),
         human_duration(s.gc.stw_max));
  for (const auto& [kind, k] : s.gc.stw_by_kind)
    w.line("    {:<34} {:>6} × total {:>9}  max {:>9}", fit(kind, 34), k.count, human_duration(k.total),
           human_duration(k.max));

  leaks(w, s, options.top);
  return w.take();
}

}  // namespace gtanalyze::report
