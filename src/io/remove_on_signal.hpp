// Files that must not outlive an interrupted run: an output being written (half a timeline or a
// JSON document cut anywhere must not pass for the output) or a temporary file. When SIGINT,
// SIGTERM or SIGHUP ends the process, the handler installed by remove_on_signal_install() unlinks
// every file still registered, then lets the signal end the process as it would have.
#pragma once

#include <string>

namespace gtanalyze::io {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (once, from main).
void remove_on_signal_install();

// Registers `path` from construction until release() or destruction. Thread-safe; a few hundred
// files at a time at most (more are not registered: best effort).
class RemoveOnSignal {
 public:
  RemoveOnSignal() = default;
  explicit RemoveOnSignal(const std::string& path);
  ~RemoveOnSignal() { release(); }
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;
  RemoveOnSignal(RemoveOnSignal&& o) noexcept : slot_(o.slot_) { o.slot_ = -1; }
  RemoveOnSignal& operator=(RemoveOnSignal&& o) noexcept;

  // The file is finished (or already removed): a signal leaves it alone.
  void release();

 private:
  int slot_ = -1;
};

}  // namespace gtanalyze::io
