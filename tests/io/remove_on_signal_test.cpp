// Files registered with RemoveOnSignal are unlinked when SIGINT/SIGTERM ends the process, and the
// process still dies of that signal; released ones stay. Each case runs in a forked child.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/remove_on_signal.hpp"

using gtanalyze::io::RemoveOnSignal;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("gtanalyze-signal-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p) << "half an output";
  return p;
}

// The status of a child that registers `doomed`, registers and releases `kept`, and raises `sig`.
int child_status(const fs::path& doomed, const fs::path& kept, int sig) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    gtanalyze::io::remove_on_signal_install();
    RemoveOnSignal a(doomed.string());
    RemoveOnSignal b(kept.string());
    b.release();
    RemoveOnSignal moved = std::move(a);  // the registration moves with it
    std::raise(sig);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("a signal removes the registered files and still ends the process") {
  for (int sig : {SIGINT, SIGTERM}) {
    const fs::path doomed = scratch("doomed"), kept = scratch("kept");
    const int status = child_status(doomed, kept, sig);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK_FALSE(fs::exists(doomed));
    CHECK(fs::exists(kept));
    fs::remove(kept);
  }
}

TEST_CASE("registrations are released with their owner; past the table's size they are skipped") {
  std::vector<RemoveOnSignal> many;
  for (int i = 0; i < 300; i++) many.emplace_back("/nonexistent/x" + std::to_string(i));
  many.clear();  // all slots free again: a new registration still works
  const fs::path doomed = scratch("after"), kept = scratch("kept2");
  const int status = child_status(doomed, kept, SIGTERM);
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK_FALSE(fs::exists(doomed));
  fs::remove(kept);
}
