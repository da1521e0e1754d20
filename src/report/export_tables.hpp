// The tables of `gtanalyze export` for one trace (docs/export.md): NDJSON rows, one file per table
// and trace (DIR/<table>/<trace_id>.ndjson[.zst]), every row beginning with the trace's id and the
// user's labels. The intervals and GC tables are written as the trace is read; the rest from its
// summary at the end, the `traces` row last, so that a trace with a row there is exported whole.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/gc_tracker.hpp"
#include "analysis/interning.hpp"
#include "analysis/state_intervals.hpp"
#include "analysis/summarizer.hpp"
#include "gtanalyze/summary.hpp"
#include "io/table_file.hpp"

namespace gtanalyze::report {

using Labels = std::vector<std::pair<std::string, std::string>>;

// The tables, in the order they are committed (`traces` last) and `failures` apart.
inline constexpr std::array<const char*, 9> kExportTables = {"goroutines", "intervals", "leaks", "gc",    "stacks",
                                                             "tasks",      "regions",   "logs",  "traces"};

// What the `traces` row says besides the summary.
struct ExportedTrace {
  std::string id, file, compression;
  std::uint64_t bytes = 0;  // decompressed
  bool capture = false;     // a capture of `gtanalyze collect`, not a trace
};

// The file of `table` for the trace `id`.
std::string table_path(const std::string& dir, const std::string& table, const std::string& id, bool zstd);

class TraceTables : public analysis::GoroutineSink {
 public:
  // Opens every table's temporary file. `interning` names the intervals' reasons and stacks, and
  // receives the summary's stacks at the end, so one stack id space serves every table.
  TraceTables(const std::string& dir, const ExportedTrace& trace, const Labels& labels, bool zstd,
              analysis::Interning& interning);
  ~TraceTables() override;
  TraceTables(const TraceTables&) = delete;
  TraceTables& operator=(const TraceTables&) = delete;

  // The time of the first event, which rows' times are relative to; before any row.
  void set_first(Time first) { first_ = first; }
  // Unix ns of the first event, from the trace's clock snapshot (Go 1.25+); null in `traces` else.
  void set_wall_start(std::int64_t unix_ns) { wall_start_ = unix_ns; }
  [[nodiscard]] bool has_wall_start() const { return wall_start_.has_value(); }
  void interval(const analysis::StateInterval& i);
  void gc(const analysis::GcSpan& span);
  // A goroutine's row and its regions' rows, as the Summarizer hands it over (none is kept).
  void begin(const Summary& /*head*/) override {}
  void goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) override;
  // Writes the rest of the summary's tables (the goroutines it kept too) and commits every file.
  // False (error() says why) if any failed.
  bool finish(const Summary& s);
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  struct Table;
  Table& table(std::size_t index) { return *tables_[index]; }
  void traces_row(const Summary& s);
  // A summary's stack id as an id of the tables' stacks (0: none).
  std::uint64_t stack_id(const Summary& s, std::uint32_t id);

  std::vector<std::unique_ptr<Table>> tables_;  // as kExportTables
  std::string prefix_;                          // `"labels":{…},"trace_id":"…"`
  ExportedTrace trace_;
  analysis::Interning& interning_;
  Time first_ = 0;
  std::optional<std::int64_t> wall_start_;
  std::uint64_t intervals_ = 0;
  std::string error_;
};

// Writes the `failures` row of a trace that could not be exported. `id` names the file: the
// trace's id when it was read that far, else any id derived from its path. False if that failed.
bool write_failure(const std::string& dir, const std::string& id, const std::optional<std::string>& trace_id,
                   const std::string& file, const std::string& error, const Labels& labels);

}  // namespace gtanalyze::report
