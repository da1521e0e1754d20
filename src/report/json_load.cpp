// Loads a gtanalyze/v1 JSON export back into a Summary: the inverse of to_json, so that `diff`
// compares two Summaries whether each side was a trace or an export. Every field the schema
// requires is checked (type, range, and the figures derived from others); unknown fields are
// ignored, as docs/json-schema.md asks of consumers.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "analysis/interning.hpp"
#include "report/json.hpp"

namespace gtanalyze::report {
namespace {

using nlohmann::json;

// Absolute times are not in the export (it holds times relative to the first event); a loaded
// Summary puts the first event at 1, since a time of 0 means "none" (never started, never ended).
constexpr Time kFirst = 1;

// A malformed field: thrown while loading, turned into an Error by from_json.
struct Malformed {
  std::string message;
};

// A value of the document and its path in it ("goroutines[3].exec_ns"), for error messages.
class Node {
 public:
  Node(const json& value, std::string path) : value_(value), path_(std::move(path)) {}

  [[noreturn]] void fail(std::string_view what) const {
    throw Malformed{path_.empty() ? std::string(what) : fmt::format("{}: {}", path_, what)};
  }

  bool has(const char* key) const { return value_.is_object() && value_.contains(key); }
  Node operator[](const char* key) const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", found()));
    auto it = value_.find(key);
    if (it == value_.end()) fail(fmt::format("no field \"{}\"", key));
    return Node(*it, path_.empty() ? key : path_ + "." + key);
  }
  std::vector<Node> items() const {
    if (!value_.is_array()) fail(fmt::format("expected an array, found {}", found()));
    std::vector<Node> out;
    for (std::size_t i = 0; i < value_.size(); i++) out.emplace_back(value_[i], fmt::format("{}[{}]", path_, i));
    return out;
  }
  // The members of an object whose keys are data (reasons, range names, kinds).
  std::vector<std::pair<std::string, Node>> members() const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", found()));
    std::vector<std::pair<std::string, Node>> out;
    for (const auto& [key, value] : value_.items())
      out.emplace_back(key, Node(value, fmt::format("{}[{}]", path_, json(key).dump())));
    return out;
  }

  std::string text() const {
    if (!value_.is_string()) fail(fmt::format("expected a string, found {}", found()));
    return value_.get<std::string>();
  }
  std::int64_t integer() const {
    const bool fits =
        value_.is_number_integer() &&
        (!value_.is_number_unsigned() || value_.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max());
    if (!fits) fail(fmt::format("expected a 64-bit integer, found {}", found()));
    return value_.get<std::int64_t>();
  }
  std::uint64_t count() const {
    if (!value_.is_number_unsigned()) fail(fmt::format("expected a count (an integer, 0 or more), found {}", found()));
    return value_.get<std::uint64_t>();
  }
  Duration ns() const {
    if (!value_.is_number_unsigned() || value_.get<std::uint64_t>() > std::numeric_limits<Duration>::max()) {
      fail(fmt::format("expected nanoseconds (an integer, 0 or more), found {}", found()));
    }
    return value_.get<Duration>();
  }
  // A time relative to the first event, as an absolute Summary time.
  Time time() const {
    const Duration relative = ns();
    if (relative > std::numeric_limits<Time>::max() - kFirst) fail("a time too far from the first event");
    return kFirst + relative;
  }
  Time time_or_none() const { return value_.is_null() ? 0 : time(); }
  std::optional<Time> optional_time() const { return value_.is_null() ? std::nullopt : std::optional(time()); }
  bool is_null() const { return value_.is_null(); }
  std::optional<bool> optional_boolean() const { return is_null() ? std::nullopt : std::optional(boolean()); }
  std::optional<std::uint64_t> optional_count() const { return is_null() ? std::nullopt : std::optional(count()); }
  bool boolean() const {
    if (!value_.is_boolean()) fail(fmt::format("expected true or false, found {}", found()));
    return value_.get<bool>();
  }

 private:
  // What the value is, for "expected …, found …": numbers and short strings as they are.
  std::string found() const {
    if (value_.is_number() || value_.is_boolean() || value_.is_null()) return value_.dump();
    if (value_.is_string() && value_.get_ref<const std::string&>().size() <= 40) {
      return value_.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return value_.is_array() ? "an array" : value_.is_object() ? "an object" : "a long string";
  }

  const json& value_;
  std::string path_;
};

LeakProof leak_proof_of(const Node& n) {
  const std::string text = n.text();
  for (LeakProof p : {LeakProof::None, LeakProof::Profile, LeakProof::Capture})
    if (text == leak_proof_name(p)) return p;
  n.fail(fmt::format("\"{}\" is not a leak proof (none, profile or capture)", text));
}

Version version_of(const Node& n) {
  const std::string text = n.text();
  unsigned minor = 0;
  const char* end = text.data() + text.size();
  const bool numeric = text.rfind("1.", 0) == 0 && std::from_chars(text.data() + 2, end, minor).ptr == end;
  const auto version = numeric ? version_from_minor(minor) : std::nullopt;
  if (!version) n.fail(fmt::format("\"{}\" is not a Go trace format version gtanalyze reads", text));
  return *version;
}

GoState state_of(const Node& n) {
  const std::string text = n.text();
  for (GoState s : {GoState::Undetermined, GoState::NotExist, GoState::Runnable, GoState::Running, GoState::Waiting,
                    GoState::Syscall}) {
    const std::string_view name = go_state_name(s);  // the export writes it in lower case
    const bool same = name.size() == text.size() &&
                      std::equal(name.begin(), name.end(), text.begin(),
                                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    if (same) return s;
  }
  n.fail(fmt::format("unknown goroutine state \"{}\"", text));
}

DurationsByName durations(const Node& n) {
  DurationsByName out;
  for (const auto& [key, value] : n.members()) out[key] = value.ns();
  return out;
}

// A figure the export states although it follows from others: it must agree with them.
void check_derived(const Node& n, Duration derived) {
  if (n.integer() != derived) {
    n.fail(fmt::format("is {}, but the figures it is derived from give {}", n.integer(), derived));
  }
}

// The fields a goroutine and a region share (Go's GoroutineExecStats).
void exec_stats(const Node& n, ExecStats& s) {
  s.exec = n["exec_ns"].ns();
  s.sched_wait = n["sched_wait_ns"].ns();
  s.syscall = n["syscall_ns"].ns();
  s.syscall_block = n["syscall_block_ns"].ns();
  s.total = n["total_ns"].ns();
  s.block_by_reason = durations(n["block_ns_by_reason"]);
  s.range_time = durations(n["range_ns"]);
  check_derived(n["block_ns"], s.block());
  check_derived(n["unknown_ns"], s.unknown());
}

RegionSummary region(const Node& n) {
  RegionSummary r;
  r.name = n["name"].text();
  r.task = n["task_id"].count();
  r.start = n["start_ns"].optional_time();
  r.end = n["end_ns"].optional_time();
  exec_stats(n, r);
  return r;
}

std::map<std::string, SpanStats> span_stats(const Node& n) {
  std::map<std::string, SpanStats> out;
  for (const auto& [name, st] : n.members()) {
    // Signed: a task that ends before it begins (threads' clocks apart) lasts less than
    // nothing in Go's summary, and in --json.
    out[name] = {st["count"].count(),    st["complete"].count(), st["p50_ns"].integer(),
                 st["p90_ns"].integer(), st["p99_ns"].integer(), st["max_ns"].integer()};
  }
  return out;
}

LatencyStats latency(const Node& n) {
  return {n["count"].count(), n["p50_ns"].ns(), n["p90_ns"].ns(), n["p99_ns"].ns(), n["max_ns"].ns()};
}

class Loader {
 public:
  Summary load(const Node& doc) {
    s_.first = kFirst;
    for (const Node& g : doc["goroutines"].items()) s_.goroutines.push_back(goroutine(g));
    for (const Node& g : doc["groups"].items()) s_.groups.push_back(group(g));
    for (const Node& c : doc["leak_candidates"].items()) s_.leak_candidates.push_back(leak_candidate(c));
    for (const Node& g : doc["leak_groups"].items()) s_.leak_groups.push_back(leak_group(g));
    s_.sched_latency = latency(doc["sched_latency"]);
    gc(doc["gc"]);
    trace(doc["trace"]);
    // User annotations: absent from exports made before gtanalyze had them (none, then).
    if (doc.has("tasks"))
      for (const Node& t : doc["tasks"].items()) s_.tasks.push_back(task(t));
    if (doc.has("region_stats")) s_.region_stats = span_stats(doc["region_stats"]);
    if (doc.has("task_stats")) s_.task_stats = span_stats(doc["task_stats"]);
    s_.stacks = stacks_.take_stacks();
    return std::move(s_);
  }

 private:
  void trace(const Node& t) {
    s_.version = version_of(t["go_version"]);
    s_.events = t["events"].count();
    s_.last = t["duration_ns"].time();
    for (const Node& w : t["warnings"].items()) s_.warnings.push_back(w.text());
    // Absent from exports made before gtanalyze read leak proofs (none, then).
    if (t.has("leak_proof")) s_.leak_proof = leak_proof_of(t["leak_proof"]);
    const Node goroutines = t["goroutines"];
    if (goroutines.count() != s_.goroutines.size()) {
      goroutines.fail(fmt::format("is {}, but \"goroutines\" lists {}", goroutines.count(), s_.goroutines.size()));
    }
  }

  GoroutineSummary goroutine(const Node& n) {
    GoroutineSummary g;
    g.id = n["id"].integer();
    g.name = n["name"].text();
    g.creation = n["creation_ns"].time();
    g.start = n["start_ns"].time_or_none();
    g.end = n["end_ns"].time_or_none();
    exec_stats(n, g);
    g.final_state = state_of(n["final_state"]);
    g.final_reason = n["final_reason"].text();
    check_derived(n["gc_ns"], g.gc());
    if (n.has("regions"))
      for (const Node& r : n["regions"].items()) g.regions.push_back(region(r));
    return g;
  }

  // Needs the trace's duration (s_.last) for the duration of a task without a begin or end.
  TaskSummary task(const Node& n) const {
    TaskSummary t;
    t.id = n["id"].count();
    t.name = n["name"].text();
    t.parent = n["parent_id"].count();
    t.start = n["start_ns"].optional_time();
    t.end = n["end_ns"].optional_time();
    for (const Node& g : n["goroutines"].items()) t.goroutines.push_back(g.integer());
    t.regions = n["regions"].count();
    for (const Node& l : n["logs"].items())
      t.logs.push_back({l["time_ns"].time(), l["goroutine"].integer(), l["category"].text(), l["message"].text()});
    check_derived(n["duration_ns"], t.duration(s_.first, s_.last));
    const Node complete = n["complete"];
    if (complete.boolean() != t.complete()) complete.fail("disagrees with start_ns and end_ns");
    return t;
  }

  static GroupSummary group(const Node& n) {
    GroupSummary g;
    g.name = n["name"].text();
    g.count = n["count"].count();
    g.exec = n["exec_ns"].ns();
    g.sched_wait = n["sched_wait_ns"].ns();
    g.block = n["block_ns"].ns();
    g.syscall = n["syscall_ns"].ns();
    g.syscall_block = n["syscall_block_ns"].ns();
    g.gc = n["gc_ns"].ns();
    g.unknown = n["unknown_ns"].ns();
    g.total = n["total_ns"].ns();
    g.exec_min = n["exec_min_ns"].ns();
    g.exec_median = n["exec_median_ns"].ns();
    g.exec_max = n["exec_max_ns"].ns();
    g.total_min = n["total_min_ns"].ns();
    g.total_median = n["total_median_ns"].ns();
    g.total_max = n["total_max_ns"].ns();
    g.sched_latency = latency(n["sched_latency"]);
    return g;
  }

  LeakCandidate leak_candidate(const Node& n) {
    LeakCandidate c;
    c.id = n["id"].integer();
    c.name = n["name"].text();
    c.reason = n["reason"].text();
    c.blocked = n["blocked_ns"].ns();
    c.create_stack = stack(n["create_stack"]);
    c.block_stack = stack(n["block_stack"]);
    if (n.has("proven")) c.proven = n["proven"].optional_boolean();
    return c;
  }

  LeakGroup leak_group(const Node& n) {
    LeakGroup g;
    g.name = n["name"].text();
    g.reason = n["reason"].text();
    g.count = n["count"].count();
    g.min_blocked = n["min_blocked_ns"].ns();
    g.max_blocked = n["max_blocked_ns"].ns();
    for (const Node& id : n["ids"].items()) g.ids.push_back(id.integer());
    // diff compares groups by their ids: a count that disagrees would leave one figure wrong.
    if (g.ids.size() != g.count)
      n["ids"].fail(fmt::format("lists {} goroutines where the group's count is {}", g.ids.size(), g.count));
    g.create_stack = stack(n["create_stack"]);
    g.block_stack = stack(n["block_stack"]);
    if (n.has("proven")) g.proven = n["proven"].optional_count();
    if (g.proven && *g.proven > g.count) n["proven"].fail("proves more goroutines than the group has (count)");
    if (n.has("undecided") && !n["undecided"].is_null()) {
      const Node u = n["undecided"];
      g.undecided = UndecidedProof{u["proven"].count(), u["of"].count()};
      if (g.undecided->proven >= g.undecided->of) u.fail("proves as many as there are, or more: it is not undecided");
    }
    return g;
  }

  void gc(const Node& n) {
    GcSummary& out = s_.gc;
    out.cycles = n["cycles"].count();
    out.stw_count = n["stw_count"].count();
    out.stw_total = n["stw_ns"].ns();
    out.stw_max = n["stw_max_ns"].ns();
    for (const auto& [kind, k] : n["stw_by_kind"].members())
      out.stw_by_kind[kind] = {k["count"].count(), k["total_ns"].ns(), k["max_ns"].ns()};
  }

  // Interns a stack, as the Summarizer does: equal stacks share one index.
  std::uint32_t stack(const Node& n) {
    StackInfo frames;
    for (const Node& f : n.items()) frames.push_back({f["function"].text(), f["file"].text(), f["line"].count()});
    return stacks_.stack(frames);
  }

  Summary s_;
  analysis::Interning stacks_;
};

}  // namespace

Result<Summary> from_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // what() is "[json.exception.parse_error.N] parse error at line L, column C: why"; e.byte
    // counts from 1.
    const std::string what = e.what();
    const auto at = what.find("parse error");
    return make_error(
        ErrorCode::Corrupt, e.byte == 0 ? 0 : e.byte - 1,
        "starts like JSON but is not valid JSON" + (at == std::string::npos ? std::string() : ": " + what.substr(at)));
  }
  const json schema = doc.is_object() ? doc.value("schema", json()) : json();
  if (schema != kJsonSchema) {
    if (schema.is_string() && schema.get<std::string>().starts_with("gtanalyze/")) {
      return make_error(ErrorCode::Corrupt, 0,
                        fmt::format("a {} export: this gtanalyze reads {} (a newer one wrote it?)",
                                    schema.get<std::string>(), kJsonSchema));
    }
    return make_error(ErrorCode::Corrupt, 0,
                      fmt::format("is JSON but not a gtanalyze export (expected \"schema\": \"{}\")", kJsonSchema));
  }
  try {
    return Loader().load(Node(doc, ""));
  } catch (const Malformed& m) {
    return make_error(ErrorCode::Corrupt, 0, fmt::format("malformed {} export: {}", kJsonSchema, m.message));
  }
}

}  // namespace gtanalyze::report
