// Exporting one trace (see export_trace.hpp).
#include "cli/export_trace.hpp"

#include <filesystem>

#include "analysis/gc_tracker.hpp"
#include "analysis/interning.hpp"
#include "analysis/state_intervals.hpp"
#include "analysis/summarizer.hpp"
#include "cli/open_trace.hpp"
#include "input/input.hpp"
#include "io/trace_digest.hpp"

namespace gtanalyze::cli {
namespace {

using Kind = ExportOutcome::Kind;

ExportOutcome failed(ExportOutcome out, const Error& error) {
  out.kind = Kind::Failed;
  out.error = error.code == ErrorCode::Io && error.offset == 0 ? error.message : error.describe();
  return out;
}

// Unix ns of the trace's first event, from a generation's clock snapshot (Go 1.25+).
std::int64_t wall_start(const ClockSnapshot& c, Time first) {
  return c.wall_sec * 1'000'000'000 + c.wall_nsec - (c.trace - first);
}

// Reads the trace's events into its tables. False with `error` set on a decode or write error.
bool export_events(TraceReader& reader, const ExportSettings& settings, const report::ExportedTrace& trace,
                   std::string& error) {
  analysis::Interning interning;
  report::TraceTables tables(settings.dir, trace, settings.labels, settings.zstd, interning);
  if (!tables.error().empty()) {
    error = tables.error();
    return false;
  }
  analysis::Summarizer summarizer(settings.leaks);
  analysis::StateIntervals intervals(interning, [&](const analysis::StateInterval& i) { tables.interval(i); });
  analysis::GcTracker gc;
  gc.set_sink([&](const analysis::GcSpan& span) { tables.gc(span); });
  bool started = false;
  Time first = 0, last = 0;
  for (;;) {
    auto batch = reader.next_batch();
    if (!batch) {
      error = batch.error().describe();
      return false;
    }
    const std::span<const Event> events = batch->events;
    if (events.empty()) break;
    if (!started) {
      started = true;
      first = events.front().time;
      tables.set_first(first);
    }
    last = events.back().time;
    summarizer.on_events(events);
    intervals.on_events(events);
    for (const Event& ev : events) {
      const EventKind kind = ev.kind();
      if (kind == EventKind::RangeBegin || kind == EventKind::RangeActive || kind == EventKind::RangeEnd) {
        gc.on_range(kind, ev.range(), ev.time);
      } else if (kind == EventKind::Sync && !tables.has_wall_start() && ev.tables && ev.tables->clock_snapshot()) {
        tables.set_wall_start(wall_start(*ev.tables->clock_snapshot(), first));
      }
    }
  }
  intervals.finish();
  gc.end(last);
  const Summary summary = summarizer.finish(reader.version(), reader.warnings(), &tables);
  if (!tables.finish(summary)) {
    error = tables.error();
    return false;
  }
  return true;
}

}  // namespace

std::string exported_file(const std::string& path) {
  if (path == "-") return path;
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  return ec ? path : absolute;
}

ExportOutcome export_trace(const std::string& path, const ExportSettings& settings,
                           const std::function<bool(const std::string&)>& claim) {
  ExportOutcome out;
  // Read twice (its id, then its tables): stdin or a pipe is copied first.
  File spool;
  std::string read_path = path;
  if (auto error = make_rereadable(spool, read_path)) return failed(out, make_error(ErrorCode::Io, 0, *error));
  auto source = ByteSource::open(read_path);
  if (!source) return failed(out, source.error());
  auto format = input::detect(**source);
  if (!format && format.error().code != ErrorCode::NotATrace) return failed(out, format.error());
  if (!format || *format == input::Format::JsonExport) {
    out.kind = Kind::NotATrace;
    out.error = format ? "a JSON export, not a trace" : format.error().message;
    return out;
  }
  auto digest = io::trace_digest(**source);
  if (!digest) return failed(out, digest.error());
  out.trace_id = digest->id;
  out.bytes = digest->bytes;
  // Exported before, with either compression: a second copy would count every row twice in a
  // query over both extensions.
  std::error_code ignored;
  const bool exported =
      std::filesystem::exists(report::table_path(settings.dir, "traces", out.trace_id, false), ignored) ||
      std::filesystem::exists(report::table_path(settings.dir, "traces", out.trace_id, true), ignored);
  if (exported || !claim(out.trace_id)) {
    out.kind = Kind::Skipped;
    return out;
  }

  source = ByteSource::open(read_path);
  if (!source) return failed(out, source.error());
  auto reader = input::open_events(**source);
  if (!reader) return failed(out, reader.error());
  report::ExportedTrace trace{out.trace_id, exported_file(path), compression_name((*source)->compression()), out.bytes,
                              *format == input::Format::Capture};
  if (!export_events(**reader, settings, trace, out.error)) {
    out.kind = Kind::Failed;
    return out;
  }
  out.kind = Kind::Exported;
  return out;
}

}  // namespace gtanalyze::cli
