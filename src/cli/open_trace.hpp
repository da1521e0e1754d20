// Opening and analysing traces for the subcommands; errors are printed here as one line.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "analysis/summarizer.hpp"
#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "gtanalyze/summary.hpp"
#include "input/input.hpp"
#include "report/text.hpp"

namespace gtanalyze::cli {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Standard input ("-"), a pipe such as bash's <(...), a character device or a socket: what can be
// read only once.
bool readable_once(const std::string& path);

// For commands that read a trace twice: an input that can be read only once (standard input as
// "-", a pipe such as bash's <(...), a character device) is copied to an unnamed temporary file
// in $TMPDIR, else /tmp (`spool`), and `path` set to a name that reopens it; other paths are left
// as they are. Returns why the copy failed, if it did.
std::optional<std::string> make_rereadable(File& spool, std::string& path);

struct OpenTrace {
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<TraceReader> reader;  // declared after source: destroyed (and its thread stopped) first
  bool capture = false;                 // a capture of `gtanalyze collect`, read like a trace
};

// Opens `path` ("-" for stdin) and reads its header. On failure prints the one-line error
// (path, offset, reason) and returns nothing; the caller exits with kExitInputError.
// threads >= 2 decodes on a thread of its own, ahead of the caller (read_ahead); kThreadsAuto picks
// by the trace's format, size and compression, as measured (open_trace.cpp).
// `name` (default: the path) names the trace in messages.
std::optional<OpenTrace> open_trace(const std::string& path, unsigned threads, const std::string& name = "");
// The same for a source already open; `path` names it in messages.
std::optional<OpenTrace> open_trace(std::unique_ptr<ByteSource> source, const std::string& path, unsigned threads);

struct AnalysedTrace {
  Summary summary;
  report::TraceInfo info;
  bool ended_at_misuse = false;  // ReaderStats::ended_at_misuse
};

// Whether the summary's tasks keep their logs' text (analysis::Summarizer::drop_logs).
enum class UserLogs : bool { Keep, Drop };

// Reads every event of the trace at `path` into the goroutine analysis. With a sink, the
// goroutines go to it, not into the summary (analysis::Summarizer::finish).
std::optional<AnalysedTrace> analyse_trace(const std::string& path, const LeakOptions& leak_options, unsigned threads,
                                           analysis::GoroutineSink* sink = nullptr, UserLogs logs = UserLogs::Keep);
std::optional<AnalysedTrace> analyse_trace(OpenTrace trace, const std::string& path, const LeakOptions& leak_options,
                                           analysis::GoroutineSink* sink = nullptr, UserLogs logs = UserLogs::Keep);

// The proof of leaks for the summary of the trace at `input_path`: the one at `proof_path` (a
// goroutineleak profile or a capture) when given; else, for a capture, the leaks its GC proved,
// if any (kind None when there is nothing to join). On failure prints why and returns nothing.
std::optional<input::LeakProofInput> read_leak_proof(const std::string& input_path, const std::string& proof_path);
// Joins a proof with the summary's leak candidates.
void apply_leak_proof(Summary& summary, const input::LeakProofInput& proof);
// The two at once. On failure prints why and returns false.
bool prove_leaks(Summary& summary, const std::string& input_path, const std::string& proof_path);

// Reads every event of `trace` into `consume`, a batch at a time, with a progress bar on stderr
// for big traces (`what` names the pass in it). Stops early when `consume` returns false. On a
// decode error prints it and returns false.
bool read_events(OpenTrace& trace, const std::string& path, std::string_view what,
                 const std::function<bool(std::span<const Event>)>& consume);

// Prints a decode error that happened while reading `path`.
int report_error(const std::string& path, const Error& error);

}  // namespace gtanalyze::cli
