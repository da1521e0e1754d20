// The process a capture watches, seen from outside: its program found on PATH and started held
// back until the probes are live, or a running one; its PIE load bias and the goroutines that
// already exist, read through /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "collector/capture_file.hpp"
#include "collector/go_binary.hpp"
#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_;
};

// `prog` as execv wants it: searched on PATH unless it holds a '/'; as it is when not found.
std::string find_in_path(const std::string& prog);

bool process_alive(int pid);

// Load bias of a PIE in a live process: where its first mapping landed minus its link address
// (0 for a fixed-address executable, or when it cannot be read).
std::uint64_t load_bias(int pid, const ElfFile& elf);

// The goroutines in runtime.allgs (the trace's initial GoStatus events). None, and `why_not`
// set, when they cannot be read (a stripped binary has no runtime.allgs symbol).
std::vector<InitialGoroutine> snapshot_allgs(int pid, const GoBinary& bin, std::uint64_t bias, std::string& why_not);

// A program forked to wait on a pipe before it execs, so that it never runs unobserved: the
// collector releases it once its probes are attached. One never released exits (125) and is
// reaped when this goes.
class HeldChild {
 public:
  // Errors: the pipe or the fork failed.
  static Result<HeldChild> start(const std::string& path, const std::vector<std::string>& argv);
  HeldChild(HeldChild&& o) noexcept;
  HeldChild& operator=(HeldChild&&) = delete;
  ~HeldChild();

  pid_t pid() const { return pid_; }
  // Lets it exec; false when it could not be told.
  bool release();

 private:
  HeldChild(pid_t pid, Fd release) : pid_(pid), release_(std::move(release)) {}
  pid_t pid_;
  Fd release_;  // the pipe's write end, open until released
};

}  // namespace gtanalyze::collector
