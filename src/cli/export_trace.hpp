// One trace of `gtanalyze export`: hashed, then read once into the summary, the state intervals and
// the GC spans, which become its tables (report/export_tables.hpp). Errors come back as values, so
// that one bad trace among thousands is a row of the `failures` table and not the end of the run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "gtanalyze/summary.hpp"
#include "report/export_tables.hpp"

namespace gtanalyze::cli {

struct ExportSettings {
  std::string dir;
  report::Labels labels;
  bool zstd = false;
  LeakOptions leaks;
};

struct ExportOutcome {
  enum class Kind : std::uint8_t {
    Exported,
    Skipped,    // its tables are there already (the same trace id)
    NotATrace,  // the bytes are not a trace we read (for files found by walking a directory)
    Failed,
  };
  Kind kind = Kind::Failed;
  std::string trace_id;     // once hashed
  std::uint64_t bytes = 0;  // decompressed, once hashed
  std::string error;        // Failed: one line, with the offset when there is one
};

// The `file` the tables give a trace at `path`: its absolute path ("-" for standard input), the
// same in the traces and failures tables, so that the two join on it.
std::string exported_file(const std::string& path);

// Exports the trace at `path`. Thread-safe: traces are exported in parallel, each by one thread.
// `claim(id)` is asked once the id is known: false when another job of this run has the same trace.
ExportOutcome export_trace(const std::string& path, const ExportSettings& settings,
                           const std::function<bool(const std::string&)>& claim);

}  // namespace gtanalyze::cli
