// `gtanalyze export -o DIR TRACE...`: traces into NDJSON tables for DuckDB, Spark or BigQuery
// (docs/export.md). Traces are exported in parallel (--jobs), each by one thread in bounded memory;
// a trace already exported (the same trace id) is skipped, a trace that fails is reported and its
// row written to the `failures` table while the others go on.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <new>
#include <set>
#include <thread>

#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/export_trace.hpp"
#include "io/stderr.hpp"

namespace gtanalyze::cli {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::string path;
  bool walked = false;  // found in a directory and not named as a trace: skipped quietly when it is not one
};

// A file named as traces are (NAME.trace; go test -trace trace.out, but not cpu.out; either
// compressed): one in a directory that is not a trace (cut to nothing, damaged) fails like a trace
// named on the command line, not skipped as a log would be.
bool named_as_trace(const fs::path& p) {
  std::string name = p.filename().string();
  for (const std::string_view ext : {".gz", ".zst"})
    if (name.ends_with(ext)) name.resize(name.size() - ext.size());
  return name.ends_with(".trace") || (name.ends_with(".out") && name.find("trace") != std::string::npos);
}

// The traces named: files as given, directories walked recursively (in name order), and the list
// of --files-from. False (after saying why) when one cannot be read.
bool gather(const ExportOptions& options, std::vector<Input>& inputs) {
  std::vector<std::string> named = options.traces;
  if (!options.files_from.empty()) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (options.files_from != "-") {
      std::error_code ec;
      if (fs::is_directory(options.files_from, ec)) {
        fail(options.files_from,
             "is a directory: --files-from takes a file listing traces (give a directory as a trace)");
        return false;
      }
      file.open(options.files_from);
      if (!file) {
        fail(options.files_from, "cannot open the list of traces");
        return false;
      }
      in = &file;
    }
    // A list written on Windows ends its lines with \r\n; blank lines separate nothing.
    for (std::string line; std::getline(*in, line);) {
      if (line.ends_with('\r')) line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) named.push_back(line);
    }
    if (in->bad()) {
      fail(options.files_from, "cannot read the list of traces");
      return false;
    }
  }
  // Standard input holds one trace, or the list: a second reader would find it empty.
  if (std::count(named.begin(), named.end(), "-") + (options.files_from == "-" ? 1 : 0) > 1) {
    fail("export", "standard input can be read once: give '-' once, as a trace or as --files-from");
    return false;
  }
  for (const std::string& path : named) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      inputs.push_back({path, false});
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    if (ec) {
      fail(path, "cannot list the directory: " + ec.message());
      return false;
    }
    std::sort(found.begin(), found.end());
    for (std::string& f : found) inputs.push_back({f, !named_as_trace(f)});
  }
  return true;
}

// What the run has done so far, shared by the jobs; the progress line on stderr.
class Tally {
 public:
  Tally(std::size_t total, bool tty) : total_(total), tty_(tty), start_(std::chrono::steady_clock::now()) {}

  void count(const Input& input, const ExportOutcome& out) {
    const std::lock_guard lock(mutex_);
    done_++;
    bytes_ += out.bytes;
    switch (out.kind) {
      case ExportOutcome::Kind::Exported: exported_++; break;
      case ExportOutcome::Kind::Skipped: skipped_++; break;
      case ExportOutcome::Kind::NotATrace: not_traces_++; break;
      case ExportOutcome::Kind::Failed: failed_++; break;
    }
    if (out.kind == ExportOutcome::Kind::Failed) {
      clear_line();
      fail(input.path, out.error);
    }
    if (tty_) io::print_stderr("\rexport: {}", line());
  }
  // The last line, on every stderr.
  void finish() {
    clear_line();
    io::print_stderr("export: {}\n", line());
  }
  // Claims a trace id for this run: false when another input was the same trace.
  bool claim(const std::string& id) {
    const std::lock_guard lock(mutex_);
    return claimed_.insert(id).second;
  }
  [[nodiscard]] std::size_t failed() const { return failed_; }

 private:
  std::string line() const {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string text = fmt::format("{}/{} traces: {} exported, {} skipped", done_, total_, exported_, skipped_);
    if (not_traces_ != 0) text += fmt::format(", {} not traces", not_traces_);
    if (failed_ != 0) text += fmt::format(", {} failed", failed_);
    return text + fmt::format(" ({:.1f} s, {:.1f} MB/s)", seconds,
                              seconds > 0 ? static_cast<double>(bytes_) / 1e6 / seconds : 0.0);
  }
  void clear_line() const {
    if (tty_) io::print_stderr("\r{:79}\r", "");
  }

  std::mutex mutex_;
  std::size_t total_, done_ = 0, exported_ = 0, skipped_ = 0, not_traces_ = 0, failed_ = 0;
  std::uint64_t bytes_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::set<std::string> claimed_;
};

// The failures table's file of a trace: a hash of its path, so that the trace exported later from
// that path (repaired: another id) removes it.
std::string failure_id(const Input& input) {
  return fmt::format("path-{:016x}", std::hash<std::string>()(exported_file(input.path)));
}

}  // namespace

int run_export(const ExportOptions& options) {
  ExportSettings settings{options.output, {}, options.compress == "zstd", options.leaks};
  for (const std::string& label : options.labels) {
    const auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) return fail("export", "--label '" + label + "': expected KEY=VALUE");
    std::string key = label.substr(0, eq);
    // Labels are a JSON object in every row: a key twice would make it one that readers disagree on.
    for (const auto& [known, value] : settings.labels)
      if (known == key) return fail("export", "--label '" + label + "': the key '" + key + "' is given twice");
    settings.labels.emplace_back(std::move(key), label.substr(eq + 1));
  }
  std::vector<Input> inputs;
  if (!gather(options, inputs)) return kExitInputError;
  if (inputs.empty()) return fail("export", "no traces given (files, directories or --files-from)");
  std::vector<std::string> tables(report::kExportTables.begin(), report::kExportTables.end());
  tables.emplace_back("failures");
  for (const std::string& table : tables) {
    std::error_code ec;
    fs::create_directories(fs::path(options.output) / table, ec);
    if (ec) return fail(options.output, "cannot create the table directories: " + ec.message());
  }

  Tally tally(inputs.size(), ::isatty(STDERR_FILENO) != 0);
  std::atomic<std::size_t> next{0};
  auto job = [&] {
    for (std::size_t i; (i = next++) < inputs.size();) {
      const Input& input = inputs[i];
      ExportOutcome out;
      try {
        out = export_trace(input.path, settings, [&](const std::string& id) { return tally.claim(id); });
      } catch (const std::bad_alloc&) {  // one huge trace fails; the others go on
        out.kind = ExportOutcome::Kind::Failed;
        out.error = "out of memory";
      }
      if (out.kind == ExportOutcome::Kind::NotATrace && !input.walked) out.kind = ExportOutcome::Kind::Failed;
      if (out.kind == ExportOutcome::Kind::Exported || out.kind == ExportOutcome::Kind::Skipped) {
        // A failure of an earlier run (a file since repaired or readable) is no longer one, also when
        // the repaired file is a trace exported already (from another path): it was skipped.
        std::error_code ignored;
        fs::remove(report::table_path(options.output, "failures", failure_id(input), false), ignored);
        fs::remove(report::table_path(options.output, "failures", out.trace_id, false),
                   ignored);  // an older run's name
      }
      if (out.kind == ExportOutcome::Kind::Failed) {
        const std::optional<std::string> id = out.trace_id.empty() ? std::nullopt : std::optional(out.trace_id);
        if (!report::write_failure(options.output, failure_id(input), id, exported_file(input.path), out.error,
                                   settings.labels))
          out.error += " (and its row in the failures table could not be written)";
      }
      tally.count(input, out);
    }
  };
  const unsigned jobs = std::clamp<unsigned>(options.jobs, 1, static_cast<unsigned>(inputs.size()));
  std::vector<std::jthread> threads;
  for (unsigned j = 1; j < jobs; j++) threads.emplace_back(job);
  job();
  threads.clear();
  tally.finish();
  return tally.failed() == 0 ? kExitOk : kExitRegression;
}

}  // namespace gtanalyze::cli
