// `gtanalyze TRACE` and `gtanalyze TRACE --json`: the goroutine analysis rendered as text for a
// person or as the gtanalyze/v1 JSON document.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "cli/commands.hpp"
#include "cli/open_trace.hpp"
#include "report/json.hpp"
#include "report/text.hpp"

namespace gtanalyze::cli {

bool is_stdout_path(const std::string& path) {
  if (path.empty() || path == "-") return true;
  struct stat named {};
  struct stat out {};
  return ::stat(path.c_str(), &named) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 && named.st_dev == out.st_dev &&
         named.st_ino == out.st_ino;
}

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) std::fclose(file_);
  if (file_ && regular_) std::remove(path_.c_str());
}

std::FILE* OutputFile::get() {
  if (!tried_) {
    tried_ = true;
    file_ = is_stdout_path(path_) ? stdout : std::fopen(path_.c_str(), "w");
    if (!file_) open_errno_ = errno;
    struct stat st {};
    regular_ = file_ && file_ != stdout && ::fstat(::fileno(file_), &st) == 0 && S_ISREG(st.st_mode);
    if (regular_) interrupted_ = io::RemoveOnSignal(path_);
  }
  return file_;
}

std::string OutputFile::cannot_open() const {
  return open_errno_ != 0 ? std::string("cannot open for writing: ") + std::strerror(open_errno_)
                          : "cannot open for writing";
}

int OutputFile::close(bool written, int write_error) {
  if (!get()) return fail(path_, cannot_open());
  // A failed write leaves its data buffered: the flush fails again and sets errno to why.
  errno = 0;
  bool ok = std::fflush(file_) == 0 && written;
  if (errno == 0) errno = write_error;
  std::string why = write_failed();
  if (file_ != stdout && std::fclose(file_) != 0 && ok) {  // data written back only at the close (NFS)
    why = write_failed();
    ok = false;
  }
  file_ = nullptr;
  if (ok) {
    interrupted_.release();
    return kExitOk;
  }
  if (regular_) std::remove(path_.c_str());
  return fail(is_stdout_path(path_) ? "<stdout>" : path_, why);
}

int check_output_not_input(const std::string& output, std::initializer_list<std::string> inputs) {
  struct stat out {};
  if (is_stdout_path(output) || ::stat(output.c_str(), &out) != 0) return kExitOk;  // a new file
  for (const std::string& input : inputs) {
    struct stat in {};
    if (input.empty()) continue;
    if (input == "-" ? ::fstat(STDIN_FILENO, &in) != 0 : ::stat(input.c_str(), &in) != 0) continue;
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino && S_ISREG(out.st_mode)) {
      return fail(output, "is also an input (" + input + "): writing it would destroy what is read; give another file");
    }
  }
  return kExitOk;
}

std::string write_failed() {
  return errno != 0 ? std::string("write failed: ") + std::strerror(errno) : "write failed";
}

int write_output(const std::string& path, const std::function<bool(std::FILE*)>& write) {
  OutputFile out(path);
  std::FILE* file = out.get();
  errno = 0;
  const bool written = file && write(file);
  return out.close(written, written ? 0 : errno);  // a failed fwrite leaves the flush nothing to fail on
}

int write_output(const std::string& path, const std::string& text) {
  return write_output(path,
                      [&text](std::FILE* out) { return std::fwrite(text.data(), 1, text.size(), out) == text.size(); });
}

namespace {

// --color=auto colours only a terminal (and never a file given with -o).
bool use_color(const SummaryOptions& options) {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  return is_stdout_path(options.output) && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace

// The goroutines go to the report while the summary is made (the JSON is written then, the text
// keeps what it shows of them): a big trace's goroutines are never all held. The proof of leaks
// is read first, so that a bad one fails before any output.
int run_summary(const SummaryOptions& options) {
  auto proof = read_leak_proof(options.trace, options.leak_proof);
  if (!proof) return kExitInputError;
  if (options.json) {
    OutputFile out(options.output);
    report::JsonStream json([&out] { return out.get(); });
    auto analysed = analyse_trace(options.trace, options.leaks, options.threads, &json);
    if (!analysed) return kExitInputError;
    apply_leak_proof(analysed->summary, *proof);
    // The document has them too, but a script reading it may never look: a cut trace's smaller
    // figures must not pass unnoticed (the text summary shows them at its top).
    for (const auto& warning : analysed->summary.warnings) fail(options.trace, "warning: " + warning);
    const bool written = json.finish(analysed->summary);
    return out.close(written, json.write_error());
  }
  report::GoroutineDigest goroutines;
  // The text shows no logs.
  auto analysed = analyse_trace(options.trace, options.leaks, options.threads, &goroutines, UserLogs::Drop);
  if (!analysed) return kExitInputError;
  apply_leak_proof(analysed->summary, *proof);
  return write_output(options.output, report::to_text(analysed->summary, goroutines, analysed->info,
                                                      report::TextOptions{options.top, use_color(options)}));
}

}  // namespace gtanalyze::cli
