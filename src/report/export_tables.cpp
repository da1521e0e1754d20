// The NDJSON tables of `export` (see export_tables.hpp and docs/export.md).
#include "report/export_tables.hpp"

#include <ctime>
#include <filesystem>
#include <unordered_map>

#include <fmt/core.h>

#include "gtanalyze/version.hpp"
#include "report/json_members.hpp"

namespace gtanalyze::report {
namespace {

enum TableIndex : std::size_t { kGoroutines, kIntervals, kLeaks, kGc, kStacks, kTasks, kRegions, kLogs, kTraces };
static_assert(kTraces + 1 == kExportTables.size());

constexpr std::size_t kPieceBytes = 1 << 16;  // rows are handed to the file in pieces of about this

// The members every row begins with: the user's labels and the trace's id (null: not known).
void trace_members(JsonWriter& w, const Labels& labels, const std::optional<std::string>& id) {
  w.key("labels");
  w.begin_object();
  for (const auto& [key, value] : labels) {
    w.data_key(key);
    w.value(std::string_view(value));
  }
  w.end_object();
  w.key("trace_id");
  if (id) {
    w.value(std::string_view(*id));
  } else {
    w.null();
  }
}

// The same members rendered once, `"labels":{…},"trace_id":"…"`, for the rows of a trace.
std::string row_prefix(const std::string& id, const Labels& labels) {
  std::string text;
  JsonWriter w(text, nullptr, 0, JsonWriter::Layout::Compact);
  w.begin_object();
  trace_members(w, labels, id);
  w.end_object();
  const std::string_view object = w.written();
  return std::string(object.substr(1, object.size() - 2));
}

void optional_field(JsonWriter& w, Key key, std::int64_t value, bool present) {
  w.key(key);
  if (present) {
    w.value(value);
  } else {
    w.null();
  }
}

// RFC 3339 in UTC with nanoseconds, which DuckDB and BigQuery read as a timestamp.
std::string rfc3339(std::int64_t unix_ns) {
  const std::int64_t sec = unix_ns >= 0 ? unix_ns / 1'000'000'000 : (unix_ns + 1) / 1'000'000'000 - 1;
  const std::int64_t nsec = unix_ns - sec * 1'000'000'000;
  const auto t = static_cast<std::time_t>(sec);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

}  // namespace

std::string table_path(const std::string& dir, const std::string& table, const std::string& id, bool zstd) {
  return dir + "/" + table + "/" + id + (zstd ? ".ndjson.zst" : ".ndjson");
}

// One table's file, and its rows not yet handed to it.
struct TraceTables::Table {
  Table(const std::string& path, bool zstd) : file(path, zstd) {}
  // Begins a row with the trace's members; the caller adds its own and calls end_row().
  JsonWriter& begin_row(const std::string& prefix) {
    w.begin_object();
    w.members(prefix);
    return w;
  }
  void end_row() {
    w.end_object();
    w.text("\n");
    if (w.written().size() >= kPieceBytes) flush();
  }
  void flush() {
    file.write(w.written());
    w.clear();
  }

  io::TableFile file;
  std::string text;
  JsonWriter w{text, nullptr, 0, JsonWriter::Layout::Compact};
};

TraceTables::TraceTables(const std::string& dir, const ExportedTrace& trace, const Labels& labels, bool zstd,
                         analysis::Interning& interning)
    : prefix_(row_prefix(trace.id, labels)), trace_(trace), interning_(interning) {
  for (const char* name : kExportTables) {
    tables_.push_back(std::make_unique<Table>(table_path(dir, name, trace.id, zstd), zstd));
    if (tables_.back()->file.failed() && error_.empty()) error_ = tables_.back()->file.error();
  }
}

TraceTables::~TraceTables() = default;

void TraceTables::interval(const analysis::StateInterval& i) {
  JsonWriter& w = table(kIntervals).begin_row(prefix_);
  optional_field(w, "cause_goroutine", i.cause, i.cause != kNoGoroutine);
  optional_field(w, "cause_stack_id", i.cause_stack, i.cause != kNoGoroutine);
  w.field("duration_ns", i.end - i.start);
  w.field("goroutine", i.goroutine);
  optional_field(w, "m", i.m, i.m != kNoThread);
  optional_field(w, "p", i.p, i.p != kNoProc);
  w.field("reason", std::string_view(interning_.name_of(i.reason)));
  w.field("stack_id", std::uint64_t{i.stack});
  w.field("start_ns", i.start - first_);
  w.field("state", std::string_view(analysis::interval_state_name(i.state)));
  table(kIntervals).end_row();
  intervals_++;
}

void TraceTables::gc(const analysis::GcSpan& span) {
  JsonWriter& w = table(kGc).begin_row(prefix_);
  w.field("complete", span.complete);
  w.field("duration_ns", span.end - span.start);
  w.field("kind", std::string_view(span.stw ? "stw" : "cycle"));
  w.field("start_ns", span.start - first_);
  w.field("stw_kind", span.kind);
  table(kGc).end_row();
}

std::uint64_t TraceTables::stack_id(const Summary& s, std::uint32_t id) {
  return id < s.stacks.size() ? interning_.stack(s.stacks[id]) : 0;
}

void TraceTables::goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) {
  JsonWriter& w = table(kGoroutines).begin_row(prefix_);
  goroutine_members(w, head, g, nullptr);
  w.field("block_stack_id", stack_id(head, g.block_stack));
  w.field("create_stack_id", stack_id(head, g.create_stack));
  table(kGoroutines).end_row();
  regions.each([&](const RegionSummary& r) {
    JsonWriter& rw = table(kRegions).begin_row(prefix_);
    region_members(rw, r, head.first);
    rw.field("goroutine", g.id);
    table(kRegions).end_row();
  });
}

bool TraceTables::finish(const Summary& s) {
  auto stack_id = [&](std::uint32_t id) { return this->stack_id(s, id); };
  for (const GoroutineSummary& g : s.goroutines) {
    analysis::RegionsOf regions(g.regions);
    goroutine(s, g, regions);
  }
  std::unordered_map<GoId, std::uint64_t> group_of;
  for (std::size_t i = 0; i < s.leak_groups.size(); i++)
    for (GoId id : s.leak_groups[i].ids) group_of[id] = i;
  for (const LeakCandidate& c : s.leak_candidates) {
    JsonWriter& w = table(kLeaks).begin_row(prefix_);
    w.field("block_stack_id", stack_id(c.block_stack));
    w.field("blocked_ns", c.blocked);
    w.field("create_stack_id", stack_id(c.create_stack));
    w.field("goroutine", c.id);
    w.field("group", group_of[c.id]);
    w.field("name", std::string_view(c.name));
    w.field("reason", std::string_view(c.reason));
    table(kLeaks).end_row();
  }
  for (const TaskSummary& t : s.tasks) {
    JsonWriter& w = table(kTasks).begin_row(prefix_);
    task_members(w, s, t, false);
    table(kTasks).end_row();
    for (const LogEntry& l : t.logs) {
      JsonWriter& lw = table(kLogs).begin_row(prefix_);
      log_members(lw, l, s.first);
      lw.field("task_id", t.id);
      table(kLogs).end_row();
    }
  }
  // Last of the rows that name stacks: every stack is interned by now.
  for (std::uint32_t id = 1; id < interning_.stack_count(); id++) {
    const StackView frames = interning_.stack_of(id);
    for (std::size_t depth = 0; depth < frames.size(); depth++) {
      JsonWriter& w = table(kStacks).begin_row(prefix_);
      w.field("depth", std::uint64_t{depth});
      w.field("file", std::string_view(frames[depth].file));
      w.field("function", std::string_view(frames[depth].function));
      w.field("line", frames[depth].line);
      w.field("stack_id", std::uint64_t{id});
      table(kStacks).end_row();
    }
  }
  traces_row(s);
  // Every table written whole before any is renamed, and the traces table (what a later export
  // takes as "already exported") last: a trace that fails leaves none of its tables.
  for (auto& t : tables_) {
    t->flush();
    if (!t->file.close() && error_.empty()) error_ = t->file.error();
    if (!error_.empty()) return false;
  }
  for (std::size_t i = 0; i < tables_.size(); i++) {
    if (tables_[i]->file.publish()) continue;
    error_ = tables_[i]->file.error();
    for (std::size_t j = 0; j < i; j++) tables_[j]->file.withdraw();
    return false;
  }
  return true;
}

void TraceTables::traces_row(const Summary& s) {
  JsonWriter& w = table(kTraces).begin_row(prefix_);
  w.field("bytes", trace_.bytes);
  w.field("compression", std::string_view(trace_.compression));
  w.field("duration_ns", s.last - s.first);
  w.field("events", s.events);
  w.field("file", std::string_view(trace_.file));
  w.field("format", std::string_view(trace_.capture ? "capture" : is_generational(s.version) ? "v2" : "v1"));
  w.field("gc_cycles", s.gc.cycles);
  w.field("go_version", std::string_view(version_name(s.version)));
  w.field("gomaxprocs", s.gomaxprocs);
  w.field("goroutines", s.goroutine_count());
  w.field("intervals", intervals_);
  w.field("leak_candidates", std::uint64_t{s.leak_candidates.size()});
  w.field("leak_groups", std::uint64_t{s.leak_groups.size()});
  w.field("sched_latency_count", s.sched_latency.count);
  w.field("sched_latency_max_ns", s.sched_latency.max);
  w.field("sched_latency_p50_ns", s.sched_latency.p50);
  w.field("sched_latency_p90_ns", s.sched_latency.p90);
  w.field("sched_latency_p99_ns", s.sched_latency.p99);
  w.field("stw_count", s.gc.stw_count);
  w.field("stw_max_ns", s.gc.stw_max);
  w.field("stw_ns", s.gc.stw_total);
  w.key("wall_start");
  if (wall_start_) {
    w.value(std::string_view(rfc3339(*wall_start_)));
  } else {
    w.null();
  }
  w.key("warnings");
  w.begin_array();
  for (const std::string& warning : s.warnings) w.value(std::string_view(warning));
  w.end_array();
  table(kTraces).end_row();
}

bool write_failure(const std::string& dir, const std::string& id, const std::optional<std::string>& trace_id,
                   const std::string& file, const std::string& error, const Labels& labels) {
  io::TableFile out(table_path(dir, "failures", id, false), false);
  std::string text;
  JsonWriter w(text, nullptr, 0, JsonWriter::Layout::Compact);
  w.begin_object();
  trace_members(w, labels, trace_id);
  w.field("error", std::string_view(error));
  w.field("file", std::string_view(file));
  w.end_object();
  w.text("\n");
  out.write(w.written());
  return out.commit();
}

}  // namespace gtanalyze::report
