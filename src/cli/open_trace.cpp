// Opens and analyses traces for the subcommands and turns decode errors into one line on stderr.
#include "cli/open_trace.hpp"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include "analysis/leak_proof.hpp"
#include "analysis/summarizer.hpp"
#include "cli/commands.hpp"
#include "input/input.hpp"
#include "io/stderr.hpp"

namespace gtanalyze::cli {
namespace {

// A progress bar on stderr for big traces, only when stderr is a terminal.
class Progress {
 public:
  Progress(const ByteSource& source, std::string_view what) : source_(source), what_(what) {
    constexpr std::uint64_t kBigTrace = 50ull << 20;
    const auto size = source.raw_size();
    enabled_ = size && *size > kBigTrace && ::isatty(STDERR_FILENO);
    total_ = size.value_or(0);
  }
  ~Progress() { clear(); }
  // Before a message: the bar's line is wiped, so that the message starts a line of its own.
  void clear() {
    if (drawn_) io::print_stderr("\r{:79}\r", "");
    drawn_ = false;
  }
  // Called per batch of events: looks at the count of bytes read every 64Ki events.
  void tick(std::size_t events) {
    if (!enabled_) return;
    const std::uint64_t before = events_;
    events_ += events;
    if ((before >> 16) == (events_ >> 16)) return;
    const std::uint64_t done = source_.raw_offset();
    const int percent = static_cast<int>(done * 100 / total_);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    drawn_ = true;
    const int filled = percent * 40 / 100;
    io::print_stderr("\r{} {} [{:#<{}}{:.<{}}] {:3}% of {} MB", what_,
                     source_.name().size() > 20 ? "trace" : source_.name(), "", filled, "", 40 - filled, percent,
                     total_ >> 20);
  }

 private:
  const ByteSource& source_;
  std::string_view what_;
  bool enabled_ = false, drawn_ = false;
  std::uint64_t total_ = 0, events_ = 0;
  int last_percent_ = -1;
};

// The default --threads for a Go 1.22+ trace read from `source`, measured side by side on a
// 2-core VM (runs taking turns, README's Benchmarks). Its second core is not always a whole one,
// and 2 threads cost 1.2-1.5x the CPU of one, so they pay only where there is much to overlap:
// 1 GB traces (1.17-1.3x faster), not 100 MB ones (0.68 against 0.86 s one day, 0.86 against
// 0.77 s an hour later) nor 4-16 MB ones (twice the CPU: new buffers to fault in). Gzipped ones
// gain sooner, their decompression (a third of the work) going to the reading thread: a 100 MB
// trace gzipped to 34 MB took 0.88 against 1.2 s, but 16 MB gzipped to 6 MB still lost (0.31
// against 0.26 s), so 2 threads from 24 MiB of gzip on. Standard input, of unknown size, gets 1:
// traces piped from /debug/pprof/trace are small, where 2 threads lose most (4 MB: 2x the time).
constexpr std::uint64_t kBigTrace = 256ull << 20;
constexpr std::uint64_t kBigGzip = 24ull << 20;
// Big enough for a second thread to pay: 256 MiB of file, or 24 MiB of gzip.
bool is_big(const ByteSource& source) {
  const std::optional<std::uint64_t> size = source.raw_size();
  return size && *size >= (source.compression() == Compression::Gzip ? kBigGzip : kBigTrace);
}
unsigned auto_threads(Version version, const ByteSource& source) {
  // The old formats' events come in batches too small to pay for their hand-over (100 MB Go
  // 1.21 trace: 1.11x the wall time of one thread).
  if (!is_generational(version) || std::thread::hardware_concurrency() < 2) return 1;
  return is_big(source) ? 2 : 1;
}

// Events per hand-over between the threads: read_ahead's default, but 262144 on big files not
// gzipped, whose decoding then costs the second thread less (1 GB trace: 1.35x the CPU of one
// thread against 1.5x, and won on wall time in every pair of a slow hour where 65536 lost); on a
// 100 MB trace gzipped, 65536 was the faster (0.88 against 1.03 s), and on small ones (4 MB: 0.14
// against 0.24 s, bigger buffers to fault in).
std::size_t chunk_events(const ByteSource& source) {
  return is_big(source) && source.compression() != Compression::Gzip ? 262144 : 0;
}

}  // namespace

int report_error(const std::string& path, const Error& error) {
  if (error.code == ErrorCode::Io && error.offset == 0) return fail(path, error.message);
  return fail(path, error.describe());
}

bool readable_once(const std::string& path) {
  if (path == "-") return true;
  // A missing file or a directory is not: open_trace says what it is.
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode));
}

std::optional<std::string> make_rereadable(File& spool, std::string& path) {
  if (!readable_once(path)) return std::nullopt;
  std::FILE* input = stdin;
  File opened;
  if (path != "-") {
    opened.reset(std::fopen(path.c_str(), "rb"));
    if (!opened) return std::nullopt;
    input = opened.get();
  }
  // In $TMPDIR, as Go's os.TempDir and mkstemp's users look for it: /tmp may be a small tmpfs.
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
  const auto failed = [&dir](std::string_view what) {
    return fmt::format("cannot {} a temporary file in {} (to read the input twice; TMPDIR chooses where): {}", what,
                       dir, std::strerror(errno));
  };
  std::string name = dir + "/gtanalyze-input-XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return failed("create");
  ::unlink(name.c_str());  // the copy goes when it is closed, however the command ends
  spool.reset(::fdopen(fd, "w+b"));
  if (!spool) {
    std::string why = failed("open");  // before close() can change errno
    ::close(fd);
    return why;
  }
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, input)) > 0;) {
    if (std::fwrite(buffer, 1, n, spool.get()) != n) return failed("write");
  }
  if (std::ferror(input)) return fmt::format("cannot read the input: {}", std::strerror(errno));
  if (std::fflush(spool.get()) != 0) return failed("write");
  path = "/proc/self/fd/" + std::to_string(fd);
  return std::nullopt;
}

std::optional<OpenTrace> open_trace(const std::string& path, unsigned threads, const std::string& name) {
  const std::string& shown = name.empty() ? path : name;
  auto source = ByteSource::open(path);
  if (!source) {
    report_error(shown, source.error());
    return std::nullopt;
  }
  return open_trace(std::move(*source), shown, threads);
}

std::optional<OpenTrace> open_trace(std::unique_ptr<ByteSource> source, const std::string& path, unsigned threads) {
  // A capture of `gtanalyze collect` is read like a trace, by the same analysis.
  const auto format = input::detect(*source);  // a peek: open_events reads from the start, and says what failed
  const bool capture = format && *format == input::Format::Capture;
  auto reader = input::open_events(*source);
  if (!reader) {
    report_error(path, reader.error());
    return std::nullopt;
  }
  if (threads == kThreadsAuto) threads = auto_threads((*reader)->version(), *source);
  if (threads >= 2) {
    const std::size_t chunk = chunk_events(*source);
    return OpenTrace{std::move(source), read_ahead(std::move(*reader), chunk), capture};
  }
  return OpenTrace{std::move(source), std::move(*reader), capture};
}

bool read_events(OpenTrace& trace, const std::string& path, std::string_view what,
                 const std::function<bool(std::span<const Event>)>& consume) {
  Progress progress(*trace.source, what);
  for (;;) {
    auto batch = trace.reader->next_batch();
    if (!batch) {
      progress.clear();
      report_error(path, batch.error());
      return false;
    }
    if (batch->events.empty()) return true;
    progress.tick(batch->events.size());
    if (!consume(batch->events)) return true;
  }
}

std::optional<AnalysedTrace> analyse_trace(const std::string& path, const LeakOptions& leak_options, unsigned threads,
                                           analysis::GoroutineSink* sink, UserLogs logs) {
  auto trace = open_trace(path, threads);
  if (!trace) return std::nullopt;
  return analyse_trace(std::move(*trace), path, leak_options, sink, logs);
}

std::optional<AnalysedTrace> analyse_trace(OpenTrace trace, const std::string& path, const LeakOptions& leak_options,
                                           analysis::GoroutineSink* sink, UserLogs logs) {
  analysis::Summarizer summarizer(leak_options);
  if (logs == UserLogs::Drop) summarizer.drop_logs();
  const bool read = read_events(trace, path, "reading", [&](std::span<const Event> events) {
    summarizer.on_events(events);
    return true;
  });
  if (!read) return std::nullopt;
  const ReaderStats stats = trace.reader->stats();
  const Version version = trace.reader->version();
  std::vector<std::string> warnings = trace.reader->warnings();
  // The reader still holds the last generation's tables (megabytes); free them before the
  // summaries are built, the moment memory peaks.
  trace.reader.reset();
  return AnalysedTrace{summarizer.finish(version, std::move(warnings), sink),
                       report::TraceInfo{trace.source->name(), compression_name(trace.source->compression()),
                                         stats.bytes, stats.generations, trace.capture},
                       stats.ended_at_misuse};
}

namespace {

bool is_capture(const std::string& path) {
  if (readable_once(path)) return false;  // peeking would take its first bytes from the analysis
  auto source = ByteSource::open(path);
  if (!source) return false;
  auto format = input::detect(**source);
  return format && *format == input::Format::Capture;
}

}  // namespace

std::optional<input::LeakProofInput> read_leak_proof(const std::string& input_path, const std::string& proof_path) {
  const bool given = !proof_path.empty();
  // Standard input or a pipe is read once, by the analysis: a capture read so proves no leaks of
  // its own (peeking at it here took its first bytes from the analysis).
  if (!given && readable_once(input_path)) return input::LeakProofInput{};
  const std::string& path = given ? proof_path : input_path;
  auto source = ByteSource::open(path);
  if (!source) {
    if (!given) return input::LeakProofInput{};  // the trace's own error is the reading's to tell
    report_error(path, source.error());
    return std::nullopt;
  }
  if (!given) {
    auto format = input::detect(**source);
    if (!format || *format != input::Format::Capture) return input::LeakProofInput{};
  }
  auto proof = input::read_leak_proof(**source);
  if (!proof) {
    report_error(path, proof.error());
    return std::nullopt;
  }
  // A capture read as the trace proves leaks only if its GC saw some.
  if (!given && proof->capture.leaked.empty()) return input::LeakProofInput{};
  // A profile is matched by block stack, which a capture's candidates lack: it would prove
  // nothing and call itself "not of this run".
  if (given && proof->kind == LeakProof::Profile && is_capture(input_path)) {
    fail(path,
         "a goroutineleak profile cannot prove the leaks of a capture, which has no block stacks to match it "
         "against: a capture proves its own when its GC marked goroutines leaked (drop --leak-proof)");
    return std::nullopt;
  }
  return std::move(*proof);
}

void apply_leak_proof(Summary& summary, const input::LeakProofInput& proof) {
  if (proof.kind == LeakProof::Profile) {
    analysis::prove_leaks(summary, proof.profile);
  } else if (proof.kind == LeakProof::Capture) {
    analysis::prove_leaks(summary, proof.capture);
  }
}

bool prove_leaks(Summary& summary, const std::string& input_path, const std::string& proof_path) {
  auto proof = read_leak_proof(input_path, proof_path);
  if (!proof) return false;
  apply_leak_proof(summary, *proof);
  return true;
}

}  // namespace gtanalyze::cli
