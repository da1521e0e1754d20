// gtanalyze's command line: builds the CLI11 app, dispatches to one subcommand.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <new>
#include <string_view>
#include <thread>

#include "base/name_regex.hpp"
#include "base/printable.hpp"
#include "cli/commands.hpp"
#include "io/stderr.hpp"

namespace gtanalyze::cli {

// One line, whatever a file name or a name from the trace in the message holds.
int fail(const std::string& what, const std::string& message) {
  io::print_stderr("gtanalyze: {}: {}\n", printable(what), printable(message));
  return kExitInputError;
}

namespace {

// A bare number ("100", "0.5": ns; collect --duration reads it as seconds, the other options refuse
// one but 0) → nanoseconds, rounded; nullopt for anything else.
std::optional<Duration> bare_duration(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (...) {
    return std::nullopt;
  }
  // The largest double below 2^63 ns (292 years).
  if (used != text.size() || !(value >= 0) || value >= 9223372036854775808.0) return std::nullopt;
  return static_cast<Duration>(std::llround(value));
}

// Nanoseconds in a unit of Go's time.ParseDuration; 0 for no such unit.
std::uint64_t unit_nanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1000;
  if (unit == "ms") return 1000000;
  if (unit == "s") return 1000000000;
  if (unit == "m") return 60000000000;
  if (unit == "h") return 3600000000000;
  return 0;
}

// Go's time.ParseDuration, but never negative: "250ms", "1.5s", "1h30m", "20us" (also µs, μs) →
// nanoseconds, computed as Go does (integers, the fraction of each part scaled by its unit); or a
// bare number (bare_duration). nullopt for anything else, or past 2^63-1 ns.
std::optional<Duration> to_duration(const std::string& text) {
  if (text.find_first_not_of("+.0123456789eE") == std::string::npos) return bare_duration(text);
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::string_view s = text;
  if (s.starts_with('+')) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!s.empty()) {
    // [digits][.digits], at least one digit.
    std::uint64_t whole = 0, fraction = 0;
    double scale = 1;
    std::size_t digits = 0;
    for (; !s.empty() && s[0] >= '0' && s[0] <= '9'; s.remove_prefix(1), digits++) {
      if (whole > (kMax - static_cast<std::uint64_t>(s[0] - '0')) / 10) return std::nullopt;
      whole = whole * 10 + static_cast<std::uint64_t>(s[0] - '0');
    }
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      for (; !s.empty() && s[0] >= '0' && s[0] <= '9'; s.remove_prefix(1), digits++) {
        if (fraction > (kMax - 9) / 10) continue;  // as Go: digits past int64 dropped
        fraction = fraction * 10 + static_cast<std::uint64_t>(s[0] - '0');
        scale *= 10;
      }
    }
    if (digits == 0) return std::nullopt;
    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && (s[unit_len] < '0' || s[unit_len] > '9')) unit_len++;
    const std::string_view unit = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    const std::uint64_t ns = unit_nanoseconds(unit);
    if (ns == 0) return std::nullopt;
    if (whole > kMax / ns) return std::nullopt;
    std::uint64_t part = whole * ns;
    if (fraction > 0)
      part += static_cast<std::uint64_t>(static_cast<double>(fraction) * (static_cast<double>(ns) / scale));
    if (part > kMax || total > kMax - part) return std::nullopt;
    total += part;
  }
  return static_cast<Duration>(total);
}

// A CLI11 validator for the duration options, so that the error names the option.
std::string valid_duration(const std::string& text) {
  const auto d = to_duration(text);
  if (!d) return "'" + text + "' is not a duration (e.g. 500ms, 2s)";
  // As Go's time.ParseDuration: "--leak-min-blocked 1" meant 1 ns, never what was meant; only a
  // bare zero needs no unit (0.4 rounded to it).
  if (text.find_first_not_of("+.0123456789eE") == std::string::npos && std::stod(text) != 0)
    return "'" + text + "' has no unit (ns, us, ms, s, m or h: e.g. " + text + "ms)";
  return "";
}

// collect --duration: seconds when a bare number (as it always was), else a duration with its
// unit; more than zero. nullopt for anything else (-5, nan, 0).
std::optional<double> collect_seconds(const std::string& text) {
  const auto d = to_duration(text);
  if (!d || *d == 0) return std::nullopt;
  const bool bare = text.find_first_not_of("0123456789.eE+") == std::string::npos;
  return bare ? std::stod(text) : static_cast<double>(*d) / 1e9;
}

std::string valid_collect_duration(const std::string& text) {
  return collect_seconds(text) ? "" : "'" + text + "' is not a time to capture for (e.g. 30 seconds, 30s, 500ms, 2m)";
}

// A CLI11 validator for --floor-percent: a decimal number from 0 to 1e6 (nan, -5, '' and 0x10 are
// not: strtod read '' as 0 and 0x10 as 16).
std::string valid_percent(const std::string& text) {
  double v = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const bool whole = ec == std::errc{} && end == text.data() + text.size();
  return whole && v >= 0 && v <= 1e6 ? "" : "'" + text + "' is not a percentage from 0 to 1000000";
}

// The CLI11 transforms of whole numbers: decimal, as every number here (CLI11 2.1 read 010 as octal
// 8, 0x10 as 16, and a number past int64 as its limit). Gives CLI11 the number, without leading
// zeros, for its range check; the errors say what was wrong.
template <class Int>
std::string decimal(const std::string& text, const std::string& out_of_range, const std::string& not_a_number) {
  Int n{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range) throw CLI::ValidationError(out_of_range);
  if (ec != std::errc{} || end != text.data() + text.size()) throw CLI::ValidationError(not_a_number);
  return std::to_string(n);
}

// Counts: --top, --threads, --jobs, --ring-mib.
std::string decimal_count(const std::string& text) {
  return decimal<std::uint64_t>(text, "'" + text + "' is out of range", "'" + text + "' is not a whole number");
}

// An option's duration, checked by valid_duration when it was parsed; nullopt when not given.
std::optional<Duration> duration_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return to_duration(text);
}

// --from/--to: a window that ends before it begins is a mistake, not an empty result.
void check_window(const std::string& from, const std::string& to) {
  const auto begin = duration_of(from), end = duration_of(to);
  if (begin && end && *end < *begin) throw CLI::ValidationError("--to", "'" + to + "' is before --from '" + from + "'");
}

// The summary's options and trace, given before a subcommand, are the summary's, which does not
// run: refused, rather than dropped (`gtanalyze --leak-proof P diff A B` would diff unproven).
void check_nothing_before_subcommand(const CLI::App& app) {
  const auto subcommands = app.get_subcommands();
  if (subcommands.empty()) return;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0 || opt == app.get_help_ptr() || opt == app.get_version_ptr()) continue;
    const std::string what = opt->get_positional() ? "the trace '" + opt->as<std::string>() + "'" : opt->get_name();
    throw CLI::ValidationError(what + " is given before the subcommand " + subcommands.front()->get_name() +
                               ", which reads only what follows it");
  }
}

// The whole help for a bare `gtanalyze`; options without a trace say what is missing, as a
// subcommand's do.
int no_trace(const CLI::App& app, int argc) {
  if (argc > 1) {
    io::print_stderr("gtanalyze: trace is required (see --help)\n");
  } else {
    io::print_stderr("{}", app.help());
  }
  return kExitInputError;
}

// `gtanalyze dumpp T`: the misspelt subcommand was taken as the trace and T as an extra argument.
// Says so (true) when the "trace" is no file and the extras are arguments, not options.
bool misspelt_subcommand(const CLI::App& app, const std::string& trace) {
  const auto extras = app.remaining();
  const bool only_arguments =
      std::none_of(extras.begin(), extras.end(), [](const std::string& a) { return a.starts_with("-"); });
  std::error_code ec;
  if (!only_arguments || trace.empty() || trace == "-" || std::filesystem::exists(trace, ec)) return false;
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
  fail(trace, "neither a file nor a subcommand (" + names + ")");
  return true;
}

// A CLI11 validator for file options: an empty path is no path (an -o '' was stdout, or the root
// for export; a --leak-proof '' from an unset variable turned the proof off).
std::string non_empty_path(const std::string& path) { return path.empty() ? "an empty path" : ""; }

// Goroutine ids.
std::string decimal_goroutine_id(const std::string& text) {
  return decimal<GoId>(text, "goroutine id " + text + " is out of range", "not a goroutine id: '" + text + "'");
}

// A CLI11 validator for glob patterns: an empty one, from an unset variable, would match nothing.
std::string non_empty_pattern(const std::string& glob) { return glob.empty() ? "an empty pattern" : ""; }

// A CLI11 validator: "" for a regex in Go's syntax (RE2), else why not. An empty one, from an unset
// variable, would match every name: refused.
std::string valid_regex(const std::string& re) {
  if (re.empty()) return "an empty regex (it matches every name)";
  const base::NameRegex check(re);
  return check.ok() ? "" : "invalid regex '" + re + "': " + check.error();
}

// Options shared by every command that analyses traces.
void add_leak_options(CLI::App& app, LeakOptions& leaks, std::string& min_blocked) {
  app.add_option("--leak-min-blocked", min_blocked, "List leak candidates blocked at least this long (e.g. 1s)")
      ->check(valid_duration);
  // Appended: binding the vector itself would replace the defaults.
  app.add_option_function<std::vector<std::string>>(
         "--leak-ignore",
         [&leaks](const std::vector<std::string>& patterns) {
           leaks.ignore.insert(leaks.ignore.end(), patterns.begin(), patterns.end());
         },
         "Never list goroutines whose start function matches this regex (Go's syntax; repeatable; adds to the "
         "defaults ^runtime\\. and ^runtime/trace\\.)")
      ->check(valid_regex)
      ->take_all()
      ->allow_extra_args(false);  // one regex per --leak-ignore: a trace may follow
}

void add_threads_option(CLI::App& app, unsigned& threads) {
  threads = kThreadsAuto;  // open_trace picks per trace
  app.add_option("--threads", threads,
                 "2 decodes on a thread of its own, ahead of the analysis; 1 does both in turn. Default: 2 for "
                 "Go 1.22+ trace files of 256 MiB and more (gzipped: 24 MiB) on 2 or more cores, else 1 "
                 "(smaller traces, standard input, Go 1.5-1.21 traces: a second thread costs more than it "
                 "saves). More than 2 works as 2.")
      ->transform(decimal_count)
      ->check(CLI::Range(1u, 1024u));
}

// The default command's options: summarise one trace.
void add_summary_options(CLI::App& app, SummaryOptions& summary, std::string& min_blocked) {
  app.add_option("trace", summary.trace, "Trace (or capture) file to summarise ('-' for stdin)");
  app.add_flag("--json", summary.json, "Print the analysis as JSON (schema gtanalyze/v1, docs/json-schema.md)");
  app.add_option("-o,--output", summary.output, "Write the report to FILE instead of stdout ('-': stdout)")
      ->check(non_empty_path);
  app.add_option("--top", summary.top,
                 "Goroutine groups and leak groups the text summary lists before the rest is folded into one line "
                 "(--json lists all)")
      ->transform(decimal_count)
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--color", summary.color, "Colour the summary: auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  add_leak_options(app, summary.leaks, min_blocked);
  app.add_option("--leak-proof", summary.leak_proof,
                 "Prove leak candidates leaked with Go 1.26's goroutineleak profile of the same run (built with "
                 "GOEXPERIMENT=goroutineleakprofile) or a capture of it (gtanalyze collect)")
      ->check(non_empty_path)
      ->type_name("FILE");
  add_threads_option(app, summary.threads);
}

// `format`, `from` and `to` are read into `dump` once parsing is done.
CLI::App* add_dump_command(CLI::App& app, DumpOptions& dump, std::string& format, std::string& from, std::string& to) {
  auto* cmd = app.add_subcommand("dump", "Print every event, one per line, in trace order");
  cmd->add_option("trace", dump.trace, "Trace file ('-' for stdin)")->required();
  // What shapes the printed events; --decode-only prints none, so it takes none of these.
  const std::vector<CLI::Option*> printing = {
      cmd->add_option("--format", format,
                      "line: one line per event with its linked event; go: as `go tool trace -d=parsed`")
          ->check(CLI::IsMember({"line", "go"})),
      cmd->add_flag("--stacks", dump.stacks, "Print each event's full stack"),
      cmd->add_option("--goroutine", dump.goroutine,
                      "Only this goroutine's events (its own and its state changes; -1: those on no goroutine, G=-1)")
          ->transform(decimal_goroutine_id),
      cmd->add_option("--type", dump.type,
                      "Only events whose type matches this glob, e.g. 'Go*' or 'GoBlock': the types the line format "
                      "prints, not the kinds --format go prints (StateTransition, ...)")
          ->check(non_empty_pattern),
      cmd->add_option("--from", from, "Only events at or after this time since the first event (e.g. 10ms)")
          ->check(valid_duration),
      cmd->add_option("--to", to, "Only events at or before this time since the first event")->check(valid_duration)};
  auto* decode_only =
      cmd->add_flag("--decode-only", dump.decode_only,
                    "Benchmarking: decode and order every event but print only their count (tools/bench/run.sh)");
  for (CLI::Option* option : printing) decode_only->excludes(option);
  add_threads_option(*cmd, dump.threads);
  return cmd;
}

// `min_blocked` and `floor_time` are read into `diff` once parsing is done.
CLI::App* add_diff_command(CLI::App& app, DiffCommandOptions& diff, std::string& min_blocked, std::string& floor_time) {
  auto* cmd = app.add_subcommand("diff", "Compare two traces or JSON exports; exit 1 when a --fail-on rule is broken");
  cmd->add_option("base", diff.base, "The baseline: a trace or a --json export")->required();
  cmd->add_option("new", diff.next, "The new run: a trace or a --json export")->required();
  cmd->add_option("--format", diff.format, "Output format")->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("-o,--output", diff.output, "Write the comparison to FILE instead of stdout")->check(non_empty_path);
  cmd->add_option("--fail-on", diff.fail_on,
                  "Exit 1 when this rule holds, e.g. 'new-leaks>0', 'sched_latency.p99>+20%', "
                  "'group[main.worker].block_ns>+25%' (repeatable; grammar in docs/diff-rules.md)")
      ->take_all()
      ->allow_extra_args(false);  // one rule per --fail-on: the traces may follow
  cmd->add_option("--floor-time", floor_time, "Hide duration changes smaller than this (default 100us)")
      ->check(valid_duration);
  cmd->add_option("--floor-percent", diff.floor_percent, "Hide changes smaller than this many percent (default 5)")
      ->check(valid_percent);
  add_leak_options(*cmd, diff.leaks, min_blocked);
  cmd->add_option("--base-leak-proof", diff.base_leak_proof,
                  "The goroutineleak profile or capture of the base run, when it is a trace (see --leak-proof)")
      ->check(non_empty_path)
      ->type_name("FILE");
  cmd->add_option("--leak-proof", diff.next_leak_proof,
                  "The goroutineleak profile or capture of the new run, when it is a trace")
      ->check(non_empty_path)
      ->type_name("FILE");
  add_threads_option(*cmd, diff.threads);
  return cmd;
}

// `from` and `to` are read into `perfetto` once parsing is done.
CLI::App* add_perfetto_command(CLI::App& app, PerfettoOptions& perfetto, std::string& from, std::string& to) {
  auto* cmd = app.add_subcommand("perfetto",
                                 "Write the trace's timeline for the Perfetto UI (ui.perfetto.dev): a track per "
                                 "goroutine with its states, P, GC and counter tracks (docs/perfetto.md)");
  cmd->add_option("trace", perfetto.trace, "Trace file ('-' for stdin)")->required();
  cmd->add_option("-o,--output", perfetto.output,
                  "The Perfetto trace to write (e.g. trace.pftrace; '-': stdout, not a terminal)")
      ->check(non_empty_path)
      ->required();
  cmd->add_option("--from", from, "Only the timeline from this time since the first event (e.g. 1.5s)")
      ->check(valid_duration);
  cmd->add_option("--to", to, "Only the timeline up to this time since the first event")->check(valid_duration);
  cmd->add_option("--goroutine", perfetto.timeline.goroutines, "Only this goroutine's track (repeatable)")
      ->transform(decimal_goroutine_id)
      ->take_all()
      ->allow_extra_args(false);  // one id per --goroutine: the trace may follow
  cmd->add_option("--group", perfetto.timeline.group,
                  "Only the tracks of goroutines whose start function matches this regex (e.g. '^main\\.')")
      ->check(valid_regex);
  add_threads_option(*cmd, perfetto.threads);
  return cmd;
}

CLI::App* add_pprof_command(CLI::App& app, PprofOptions& pprof) {
  auto* cmd = app.add_subcommand("pprof",
                                 "Write a pprof profile of where goroutines waited, as `go tool trace -pprof=TYPE` "
                                 "(docs/pprof.md)");
  cmd->add_option("trace", pprof.trace, "Trace file ('-' for stdin)")->required();
  cmd->add_option("--type", pprof.type,
                  "net: waiting for the network; sync: on channels, select, sync primitives; syscall: in "
                  "system calls; sched: runnable, waiting to run")
      ->required()
      ->check(CLI::IsMember({"net", "sync", "syscall", "sched"}));
  cmd->add_option("-o,--output", pprof.output,
                  "The profile to write (gzipped profile.proto, e.g. sync.pb.gz); default stdout, unless a terminal")
      ->check(non_empty_path);
  auto* name = cmd->add_option("--goroutine-name", pprof.goroutine_name,
                               "Only goroutines whose start function is NAME (e.g. main.worker), as the trace "
                               "viewer's per-goroutine-group profiles")
                   ->type_name("NAME")
                   ->check([](const std::string& n) { return n.empty() ? std::string("an empty name") : ""; });
  cmd->add_option("--region", pprof.region,
                  "Only the time inside the user regions of type TYPE (their outermost ones), as the trace "
                  "viewer's per-region-type profiles; an unknown TYPE gives an empty profile")
      ->type_name("TYPE")
      ->excludes(name);
  add_threads_option(*cmd, pprof.threads);
  return cmd;
}

CLI::App* add_export_command(CLI::App& app, ExportOptions& exp) {
  auto* cmd = app.add_subcommand("export",
                                 "Export traces into NDJSON tables for DuckDB, Spark or BigQuery: -o DIR TRACE... "
                                 "(docs/export.md); exit 1 when a trace failed");
  cmd->add_option("-o,--output", exp.output, "The directory of the tables (DIR/<table>/<trace id>.ndjson)")
      ->check(non_empty_path)
      ->required();
  cmd->add_option("traces", exp.traces, "Trace files, or directories to search recursively for traces");
  cmd->add_option("--files-from", exp.files_from, "Read the traces' paths from FILE, one per line ('-': stdin)")
      ->check(non_empty_path)
      ->type_name("FILE");
  cmd->add_option("--compress", exp.compress, "none, or zstd (DIR/<table>/<trace id>.ndjson.zst)")
      ->check(CLI::IsMember({"none", "zstd"}));
  cmd->add_option("--label", exp.labels, "KEY=VALUE in every row's `labels` (host, build, service…); repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);  // one pair per --label: the traces follow
  exp.jobs = std::max(1u, std::thread::hardware_concurrency());
  cmd->add_option("--jobs", exp.jobs, "Traces exported at once (default: the cores)")
      ->transform(decimal_count)
      ->check(CLI::Range(1u, 1024u));
  return cmd;
}

CLI::App* add_collect_command(CLI::App& app, CollectCommandOptions& collect) {
  auto* cmd = app.add_subcommand("collect",
                                 "Capture the goroutine lifecycles of a live Go process with eBPF uprobes (root): "
                                 "-o CAPTURE -- PROGRAM ARGS..., or -o CAPTURE --pid PID. Exit 77 without BPF.");
  cmd->add_option("-o,--output", collect.output, "Capture file to write")
      ->check(non_empty_path)
      ->check([](const std::string& path) {
        // The program collect starts writes to the same standard output.
        return path == "-" ? "a capture is written to a file, not to standard output (the program's)" : "";
      })
      ->required();
  cmd->add_option("--pid", collect.pid, "Attach to this running process instead of starting one")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()));
  cmd->add_option_function<std::string>(
         "--duration", [&collect](const std::string& text) { collect.duration = *collect_seconds(text); },
         "Stop after this long: seconds, or with a unit (30s, 500ms, 2m) (default: until the target exits or Ctrl-C)")
      ->check(valid_collect_duration);
  cmd->add_option("--ring-mib", collect.ring_mib, "Ring buffer size in MiB, a power of two (default 16)")
      ->transform(decimal_count);
  cmd->add_flag("-v,--verbose", collect.verbose, "Print the probe plan");
  cmd->add_option("command", collect.command, "-- PROGRAM ARGS...: the program to start, attached before it runs");
  return cmd;
}

CLI::App* add_crosscheck_command(CLI::App& app, CrosscheckCommandOptions& crosscheck) {
  auto* cmd = app.add_subcommand("crosscheck",
                                 "Compare a trace with an eBPF capture of the same run; exit 1 when they disagree, 3 "
                                 "when the capture is incomplete (lost records, part of the window) or of another run");
  cmd->add_option("trace", crosscheck.trace, "The run's execution trace")->required();
  cmd->add_option("capture", crosscheck.capture, "The capture of the same run (gtanalyze collect)")->required();
  cmd->add_flag("--json", crosscheck.json, "Print the comparison as JSON");
  cmd->add_option("-o,--output", crosscheck.output, "Write the comparison to FILE instead of stdout")
      ->check(non_empty_path);
  return cmd;
}

int run(int argc, char** argv) {
  io::remove_on_signal_install();  // Ctrl-C leaves no half output (collect takes SIGINT, SIGTERM and SIGHUP for itself)
  CLI::App app{
      "gtanalyze: what every goroutine of a Go program did, where the time went, and which\n"
      "goroutines leaked, from a Go execution trace (runtime/trace, go test -trace,\n"
      "/debug/pprof/trace). Reads every format Go wrote (1.5-1.26), plain, gzip or zstd, or '-'\n"
      "for standard input.\n\n"
      "Exit codes: 0 ok, 1 a diff regression, a crosscheck disagreement or an export with a\n"
      "trace that failed, 2 usage or input error,\n"
      "3 crosscheck inconclusive (the capture is incomplete, or of another run), 77 collect\n"
      "without BPF support or privileges.",
      "gtanalyze"};
  app.set_version_flag("--version", "gtanalyze 0.1.0");
  app.require_subcommand(0, 1);
  // Usage errors are one line, like every other error.
  app.failure_message(
      [](const CLI::App*, const CLI::Error& e) { return "gtanalyze: " + printable(e.what()) + " (see --help)\n"; });

  SummaryOptions summary;
  std::string summary_min_blocked;
  add_summary_options(app, summary, summary_min_blocked);
  DumpOptions dump;
  std::string dump_format = "line", dump_from, dump_to;
  auto* dump_cmd = add_dump_command(app, dump, dump_format, dump_from, dump_to);
  DiffCommandOptions diff;
  std::string diff_min_blocked, floor_time = "100us";
  auto* diff_cmd = add_diff_command(app, diff, diff_min_blocked, floor_time);
  PerfettoOptions perfetto;
  std::string perfetto_from, perfetto_to;
  auto* perfetto_cmd = add_perfetto_command(app, perfetto, perfetto_from, perfetto_to);
  PprofOptions pprof;
  auto* pprof_cmd = add_pprof_command(app, pprof);
  ExportOptions exp;
  auto* export_cmd = add_export_command(app, exp);
  CollectCommandOptions collect;
  auto* collect_cmd = add_collect_command(app, collect);
  CrosscheckCommandOptions crosscheck;
  auto* crosscheck_cmd = add_crosscheck_command(app, crosscheck);

  try {
    app.parse(argc, argv);
    check_nothing_before_subcommand(app);
    if (auto d = duration_of(summary_min_blocked)) summary.leaks.min_blocked = *d;
    if (auto d = duration_of(diff_min_blocked)) diff.leaks.min_blocked = *d;
    diff.floor_ns = static_cast<double>(duration_of(floor_time).value_or(0));
    dump.go_format = dump_format == "go";
    check_window(dump_from, dump_to);
    dump.from = duration_of(dump_from);
    dump.to = duration_of(dump_to);
    check_window(perfetto_from, perfetto_to);
    perfetto.timeline.from = duration_of(perfetto_from);
    perfetto.timeline.to = duration_of(perfetto_to);
  } catch (const CLI::ExtrasError& e) {
    if (misspelt_subcommand(app, summary.trace)) return kExitInputError;
    return app.exit(e) == 0 ? kExitOk : kExitInputError;
  } catch (const CLI::Error& e) {
    int code = app.exit(e);
    // CLI11 uses its own codes for usage errors; ours is 2 for all of them (help: 0).
    return code == 0 ? kExitOk : kExitInputError;
  }
  // An -o naming one of the inputs would truncate it before, or while, it is read.
  int refused = kExitOk;
  if (diff_cmd->parsed()) {
    refused = check_output_not_input(diff.output, {diff.base, diff.next, diff.base_leak_proof, diff.next_leak_proof});
  } else if (perfetto_cmd->parsed()) {
    refused = check_output_not_input(perfetto.output, {perfetto.trace});
  } else if (pprof_cmd->parsed()) {
    refused = check_output_not_input(pprof.output, {pprof.trace});
  } else if (collect_cmd->parsed()) {
    const std::string program = collect.pid != 0          ? fmt::format("/proc/{}/exe", collect.pid)
                                : collect.command.empty() ? ""
                                                          : collect.command.front();
    refused = check_output_not_input(collect.output, {program});
  } else if (crosscheck_cmd->parsed()) {
    refused = check_output_not_input(crosscheck.output, {crosscheck.trace, crosscheck.capture});
  } else if (!dump_cmd->parsed() && !export_cmd->parsed()) {
    refused = check_output_not_input(summary.output, {summary.trace, summary.leak_proof});
  }
  if (refused != kExitOk) return refused;

  if (dump_cmd->parsed()) return run_dump(dump);
  if (diff_cmd->parsed()) return run_diff(diff);
  if (perfetto_cmd->parsed()) return run_perfetto(perfetto);
  if (pprof_cmd->parsed()) return run_pprof(pprof);
  if (export_cmd->parsed()) return run_export(exp);
  if (collect_cmd->parsed()) {
    if (collect.command.empty() == (collect.pid == 0)) {
      return fail("collect", "give either -- PROGRAM ARGS... or --pid PID");
    }
    return run_collect(collect);
  }
  if (crosscheck_cmd->parsed()) return run_crosscheck(crosscheck);
  if (summary.trace.empty()) return no_trace(app, argc);
  return run_summary(summary);
}

}  // namespace
}  // namespace gtanalyze::cli

int main(int argc, char** argv) {
  try {
    return gtanalyze::cli::run(argc, argv);
  } catch (const std::bad_alloc&) {
    gtanalyze::io::print_stderr("gtanalyze: out of memory: this input needs more memory than the machine gives\n");
    return gtanalyze::cli::kExitInputError;
  } catch (const std::exception& e) {
    gtanalyze::io::print_stderr("gtanalyze: internal error: {}\n", e.what());
    return gtanalyze::cli::kExitInputError;
  }
}
