// Renders a Summary as the gtanalyze/v1 JSON document: integer nanoseconds, times relative to
// the first event, goroutines by id, sorted keys, zero map entries omitted. Written as a stream
// (no DOM), in the exact text of nlohmann's pretty printer.
#include "report/json.hpp"

#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "report/json_members.hpp"

namespace gtanalyze::report {
namespace {

std::string state_name(GoState s) {
  std::string name(go_state_name(s));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// An array of objects under `key`, one per item, each object's members written by `members`;
// written out to the file (if any) after each object.
template <class Items, class Members>
void objects_json(JsonWriter& w, Key key, const Items& items, Members members) {
  w.key(key);
  w.begin_array();
  for (const auto& item : items) {
    w.begin_object();
    members(item);
    w.end_object();
    w.flush();
  }
  w.end_array();
}

void stack_json(JsonWriter& w, const Summary& summary, Key key, std::uint32_t id) {
  w.key(key);
  w.begin_array();
  if (id < summary.stacks.size()) {
    for (const FrameInfo& f : summary.stacks[id]) {
      w.begin_object();
      w.field("file", std::string_view(f.file));
      w.field("function", std::string_view(f.function));
      w.field("line", f.line);
      w.end_object();
    }
  }
  w.end_array();
}

void non_zero(JsonWriter& w, Key key, const DurationsByName& m) {
  w.key(key);
  w.begin_object();
  for (const auto& [k, v] : m)
    if (v != 0) {
      w.data_key(k);
      w.value(v);
    }
  w.end_object();
}

void latency_json(JsonWriter& w, Key key, const LatencyStats& l) {
  w.key(key);
  w.begin_object();
  w.field("count", l.count);
  w.field("max_ns", l.max);
  w.field("p50_ns", l.p50);
  w.field("p90_ns", l.p90);
  w.field("p99_ns", l.p99);
  w.end_object();
}

// A time as nanoseconds since the trace's first event; null when it is unknown (0).
void time_json(JsonWriter& w, Key key, Time t, Time first) {
  w.key(key);
  if (t == 0) {
    w.null();
  } else {
    w.value(t - first);
  }
}

// The same for a time that is there or not.
void time_json(JsonWriter& w, Key key, const std::optional<Time>& t, Time first) {
  w.key(key);
  if (t) {
    w.value(*t - first);
  } else {
    w.null();
  }
}

// A value that is there or not (null).
template <class T>
void nullable_json(JsonWriter& w, Key key, const std::optional<T>& v) {
  w.key(key);
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

}  // namespace

void region_members(JsonWriter& w, const RegionSummary& r, Time first) {
  w.field("block_ns", r.block());
  non_zero(w, "block_ns_by_reason", r.block_by_reason);
  time_json(w, "end_ns", r.end, first);
  w.field("exec_ns", r.exec);
  w.field("name", std::string_view(r.name));
  non_zero(w, "range_ns", r.range_time);
  w.field("sched_wait_ns", r.sched_wait);
  time_json(w, "start_ns", r.start, first);
  w.field("syscall_block_ns", r.syscall_block);
  w.field("syscall_ns", r.syscall);
  w.field("task_id", r.task);
  w.field("total_ns", r.total);
  w.field("unknown_ns", r.unknown());
}

void log_members(JsonWriter& w, const LogEntry& l, Time first) {
  w.field("category", std::string_view(l.category));
  w.field("goroutine", l.goroutine);
  w.field("message", std::string_view(l.message));
  w.field("time_ns", l.time - first);
}

void task_members(JsonWriter& w, const Summary& s, const TaskSummary& t, bool with_logs) {
  w.field("complete", t.complete());
  w.field("duration_ns", t.duration(s.first, s.last));
  time_json(w, "end_ns", t.end, s.first);
  w.key("goroutines");
  w.begin_array();
  for (GoId id : t.goroutines) w.value(id);
  w.end_array();
  w.field("id", t.id);
  if (with_logs) objects_json(w, "logs", t.logs, [&](const LogEntry& l) { log_members(w, l, s.first); });
  w.field("name", std::string_view(t.name));
  w.field("parent_id", t.parent);
  w.field("regions", t.regions);
  time_json(w, "start_ns", t.start, s.first);
}

void goroutine_members(JsonWriter& w, const Summary& s, const GoroutineSummary& g, analysis::RegionSource* regions) {
  w.field("block_ns", g.block());
  non_zero(w, "block_ns_by_reason", g.block_by_reason);
  w.field("creation_ns", g.creation - s.first);
  time_json(w, "end_ns", g.end, s.first);
  w.field("exec_ns", g.exec);
  w.field("final_reason", std::string_view(g.final_reason));
  w.field("final_state", std::string_view(state_name(g.final_state)));
  w.field("gc_ns", g.gc());
  w.field("id", g.id);
  w.field("name", std::string_view(g.name));
  non_zero(w, "range_ns", g.range_time);
  if (regions) {
    w.key("regions");
    w.begin_array();
    regions->each([&](const RegionSummary& r) {
      w.begin_object();
      region_members(w, r, s.first);
      w.end_object();
      w.flush();  // a goroutine's regions may be millions: written as they come
    });
    w.end_array();
  }
  w.field("sched_wait_ns", g.sched_wait);
  time_json(w, "start_ns", g.start, s.first);
  w.field("syscall_block_ns", g.syscall_block);
  w.field("syscall_ns", g.syscall);
  w.field("total_ns", g.total);
  w.field("unknown_ns", g.unknown());
}

namespace {

void tasks_json(JsonWriter& w, const Summary& s) {
  objects_json(w, "tasks", s.tasks, [&](const TaskSummary& t) { task_members(w, s, t, true); });
}

void span_stats_json(JsonWriter& w, Key key, const std::map<std::string, SpanStats>& stats) {
  w.key(key);
  w.begin_object();
  for (const auto& [name, st] : stats) {
    w.data_key(name);
    w.begin_object();
    w.field("complete", st.complete);
    w.field("count", st.count);
    w.field("max_ns", st.max);
    w.field("p50_ns", st.p50);
    w.field("p90_ns", st.p90);
    w.field("p99_ns", st.p99);
    w.end_object();
  }
  w.end_object();
}

void gc_json(JsonWriter& w, const GcSummary& gc) {
  w.key("gc");
  w.begin_object();
  w.field("cycles", gc.cycles);
  w.key("stw_by_kind");
  w.begin_object();
  for (const auto& [kind, k] : gc.stw_by_kind) {
    w.data_key(kind);
    w.begin_object();
    w.field("count", k.count);
    w.field("max_ns", k.max);
    w.field("total_ns", k.total);
    w.end_object();
  }
  w.end_object();
  w.field("stw_count", gc.stw_count);
  w.field("stw_max_ns", gc.stw_max);
  w.field("stw_ns", gc.stw_total);
  w.end_object();
}

void goroutine_json(JsonWriter& w, const Summary& s, const GoroutineSummary& g, analysis::RegionSource& regions) {
  w.begin_object();
  goroutine_members(w, s, g, &regions);
  w.end_object();
  w.flush();
}

void groups_json(JsonWriter& w, const std::vector<GroupSummary>& groups) {
  w.key("groups");
  w.begin_array();
  for (const GroupSummary& g : groups) {
    w.begin_object();
    w.field("block_ns", g.block);
    w.field("count", g.count);
    w.field("exec_max_ns", g.exec_max);
    w.field("exec_median_ns", g.exec_median);
    w.field("exec_min_ns", g.exec_min);
    w.field("exec_ns", g.exec);
    w.field("gc_ns", g.gc);
    w.field("name", std::string_view(g.name));
    latency_json(w, "sched_latency", g.sched_latency);
    w.field("sched_wait_ns", g.sched_wait);
    w.field("syscall_block_ns", g.syscall_block);
    w.field("syscall_ns", g.syscall);
    w.field("total_max_ns", g.total_max);
    w.field("total_median_ns", g.total_median);
    w.field("total_min_ns", g.total_min);
    w.field("total_ns", g.total);
    w.field("unknown_ns", g.unknown);
    w.end_object();
    w.flush();
  }
  w.end_array();
}

void leak_candidates_json(JsonWriter& w, const Summary& s) {
  w.key("leak_candidates");
  w.begin_array();
  for (const LeakCandidate& c : s.leak_candidates) {
    w.begin_object();
    stack_json(w, s, "block_stack", c.block_stack);
    w.field("blocked_ns", c.blocked);
    stack_json(w, s, "create_stack", c.create_stack);
    w.field("id", c.id);
    w.field("name", std::string_view(c.name));
    nullable_json(w, "proven", c.proven);
    w.field("reason", std::string_view(c.reason));
    w.end_object();
    w.flush();  // each with its stacks: 100k leaked goroutines are a GB of text
  }
  w.end_array();
}

void leak_groups_json(JsonWriter& w, const Summary& s) {
  w.key("leak_groups");
  w.begin_array();
  for (const LeakGroup& g : s.leak_groups) {
    w.begin_object();
    stack_json(w, s, "block_stack", g.block_stack);
    w.field("count", g.count);
    stack_json(w, s, "create_stack", g.create_stack);
    w.key("ids");
    w.begin_array();
    for (GoId id : g.ids) w.value(id);
    w.end_array();
    w.field("max_blocked_ns", g.max_blocked);
    w.field("min_blocked_ns", g.min_blocked);
    w.field("name", std::string_view(g.name));
    nullable_json(w, "proven", g.proven);
    w.field("reason", std::string_view(g.reason));
    w.key("undecided");
    if (g.undecided) {
      w.begin_object();
      w.field("of", g.undecided->of);
      w.field("proven", g.undecided->proven);
      w.end_object();
    } else {
      w.null();
    }
    w.end_object();
    w.flush();
  }
  w.end_array();
}

void trace_json(JsonWriter& w, const Summary& s) {
  w.key("trace");
  w.begin_object();
  w.field("duration_ns", s.last - s.first);
  w.field("events", s.events);
  w.field("go_version", std::string_view(version_name(s.version)));
  w.field("goroutines", s.goroutine_count());
  w.field("leak_proof", std::string_view(leak_proof_name(s.leak_proof)));
  w.key("warnings");
  w.begin_array();
  for (const std::string& warning : s.warnings) w.value(std::string_view(warning));
  w.end_array();
  w.end_object();
}

// The whole summary, one section per member in key order (the schema sorts keys), in two parts
// around the goroutines (which a JsonStream writes as they come): up to the goroutines' array
// open, and from its end.
void render_head(const Summary& s, JsonWriter& w) {
  w.begin_object();
  gc_json(w, s.gc);
  w.key("goroutines");
  w.begin_array();
}

void render_tail(const Summary& s, JsonWriter& w) {
  w.end_array();
  groups_json(w, s.groups);
  leak_candidates_json(w, s);
  leak_groups_json(w, s);
  span_stats_json(w, "region_stats", s.region_stats);
  latency_json(w, "sched_latency", s.sched_latency);
  w.field("schema", std::string_view(kJsonSchema));
  span_stats_json(w, "task_stats", s.task_stats);
  tasks_json(w, s);
  trace_json(w, s);
  w.end_object();
  w.text("\n");
}

void render(const Summary& s, JsonWriter& w) {
  render_head(s, w);
  for (const GoroutineSummary& g : s.goroutines) {
    analysis::RegionsOf regions(g.regions);
    goroutine_json(w, s, g, regions);
  }
  render_tail(s, w);
}

}  // namespace

std::string to_json(const Summary& s) {
  std::string out;
  out.resize(1024 + s.goroutines.size() * 640);
  JsonWriter w(out, nullptr, 0);
  render(s, w);
  w.finish();
  return out;
}

bool write_json(const Summary& s, std::FILE* file, std::size_t piece_bytes) {
  std::string out;
  JsonWriter w(out, file, piece_bytes);
  render(s, w);
  w.flush(true);
  return !w.failed();
}

JsonStream::JsonStream(std::function<std::FILE*()> open_file, std::size_t piece_bytes)
    : open_file_(std::move(open_file)), piece_bytes_(piece_bytes) {}
JsonStream::~JsonStream() = default;

void JsonStream::begin(const Summary& head) {
  std::FILE* file = open_file_();
  if (!file) return;
  writer_ = std::make_unique<JsonWriter>(buffer_, file, piece_bytes_);
  render_head(head, *writer_);
}

void JsonStream::goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) {
  if (!writer_) return;
  goroutine_json(*writer_, head, g, regions);
}

int JsonStream::write_error() const { return writer_ ? writer_->error() : 0; }

bool JsonStream::finish(const Summary& s) {
  if (!writer_) return false;
  render_tail(s, *writer_);
  writer_->flush(true);
  return !writer_->failed();
}

}  // namespace gtanalyze::report
