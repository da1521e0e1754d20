// The subcommands of the gtanalyze executable. Each returns the process exit code; this folder is
// the only place that prints to the terminal, catches exceptions and picks exit codes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "collector/collector.hpp"
#include "gtanalyze/summary.hpp"
#include "io/remove_on_signal.hpp"
#include "report/timeline.hpp"

namespace gtanalyze::cli {

// Exit codes, documented in the README.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRegression = 1;    // `diff`: a --fail-on rule was broken; `export`: a trace failed
inline constexpr int kExitInputError = 2;    // usage or input error
inline constexpr int kExitInconclusive = 3;  // `crosscheck`: the capture lost records

// --threads left to open_trace, which picks per trace (see there).
inline constexpr unsigned kThreadsAuto = 0;

struct SummaryOptions {
  std::string trace;
  bool json = false;
  std::string output;  // -o: write here instead of stdout
  std::size_t top = 15;
  std::string color = "auto";  // auto | always | never
  LeakOptions leaks;
  std::string leak_proof;  // --leak-proof: a goroutineleak profile or a capture of the run ("": none)
  // 2 or more: decode ahead of the analysis on a second thread (two stages: more cannot help).
  // The command line's default is kThreadsAuto.
  unsigned threads = 1;
};

struct DiffCommandOptions {
  std::string base, next;
  std::string format = "text";  // text | json | markdown
  std::string output;
  std::vector<std::string> fail_on;
  double floor_ns = 100'000;
  double floor_percent = 5;
  LeakOptions leaks;
  std::string base_leak_proof, next_leak_proof;  // as SummaryOptions::leak_proof, for each side
  unsigned threads = 1;
};

struct DumpOptions {
  std::string trace;
  bool go_format = false;  // exactly `go tool trace -d=parsed`
  bool stacks = false;
  std::optional<GoId> goroutine;
  std::string type;                  // glob on the event type name
  std::optional<Duration> from, to;  // relative to the first event
  // Read and order every event, print only the count: the decoder's own speed (tools/bench).
  bool decode_only = false;
  unsigned threads = 1;
};

struct PerfettoOptions {
  std::string trace, output;
  report::TimelineOptions timeline;
  unsigned threads = 1;
};

struct PprofOptions {
  std::string trace, output;          // output empty: stdout
  std::string type;                   // net | sync | syscall | sched
  std::string goroutine_name;         // only goroutines with this start function ("": all)
  std::optional<std::string> region;  // only within the regions of this type ("": the nameless ones)
  unsigned threads = 1;
};

struct ExportOptions {
  std::string output;               // the directory of the tables
  std::vector<std::string> traces;  // files and directories
  std::string files_from;           // a list of paths, one per line ("-": stdin)
  std::string compress = "none";    // none | zstd
  std::vector<std::string> labels;  // KEY=VALUE
  unsigned jobs = 1;
  LeakOptions leaks;
};

int run_summary(const SummaryOptions& options);
int run_export(const ExportOptions& options);
int run_dump(const DumpOptions& options);
int run_diff(const DiffCommandOptions& options);
int run_perfetto(const PerfettoOptions& options);
int run_pprof(const PprofOptions& options);

// The options of `collect` are the collector's own, parsed in every build (its header needs no
// libbpf); a build without the collector only refuses them.
using CollectCommandOptions = collector::CollectOptions;

struct CrosscheckCommandOptions {
  std::string trace, capture;
  bool json = false;
  std::string output;
};

// 0: capture written; 2: usage or input error; 77: no BPF or no privileges.
int run_collect(const CollectCommandOptions& options);
// 0: trace and capture agree; 1: they differ; 2: input error.
int run_crosscheck(const CrosscheckCommandOptions& options);

// An output path that means standard output: none given, "-", or a name of the file standard
// output already is (/dev/stdout, or the file the shell sent it to). Opening that file again
// would truncate it under the shell's `>>` and what the script wrote before.
bool is_stdout_path(const std::string& path);

// A command's output: standard output when `path` is empty or "-", else that file, created when
// it is first asked for (so that a command failing before it writes leaves no file behind).
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)) {}
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // The file, opened the first time; nullptr if it cannot be (cannot_open() says why).
  std::FILE* get();
  std::string cannot_open() const;
  // Flushes and closes it. kExitOk, or the error printed (it could not be opened, `written` is
  // false, or the flush failed) and kExitInputError. `write_error`: errno of the writer's failed
  // write, when it knows it (a failed fwrite leaves nothing for the flush to fail on).
  int close(bool written, int write_error = 0);
  // A regular file not closed whole (a failed write, or a return before close()) is removed: half
  // a JSON document or a timeline cut anywhere must not pass for the output.

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool tried_ = false;
  bool regular_ = false;            // a regular file this opened (not stdout, /dev/full or a pipe)
  int open_errno_ = 0;              // why fopen failed
  io::RemoveOnSignal interrupted_;  // that file, until it is closed whole
};

// Writes `text` to `path`, or to stdout when the path is empty or "-".
int write_output(const std::string& path, const std::string& text);
// The same for output written by `write` (false: it failed), so big output is never held whole.
int write_output(const std::string& path, const std::function<bool(std::FILE*)>& write);

// kExitOk, or the error printed when `output` names the same file as one of `inputs` (empty ones
// are skipped): opening it for writing would truncate the input before, or while, it is read.
int check_output_not_input(const std::string& output, std::initializer_list<std::string> inputs);

// "write failed", and why (errno) when it is known.
std::string write_failed();

// Prints "gtanalyze: WHAT: MESSAGE" on stderr and returns kExitInputError.
int fail(const std::string& what, const std::string& message);

}  // namespace gtanalyze::cli
