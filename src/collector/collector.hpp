// The live side: load the BPF skeleton with the target binary's offsets, attach the uprobes
// (RAII links), drain the ring buffer into a capture file until the target exits, the duration
// ends or we are interrupted, then write the trailer (hits, drops, symbols).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

struct CollectOptions {
  std::string output;                // -o CAPTURE (required)
  std::vector<std::string> command;  // after "--": PROGRAM ARGS… (started attached)
  int pid = 0;                       // --pid PID: attach to a running process
  double duration = 0;               // --duration SECONDS; 0: until the target exits or Ctrl-C
  std::uint32_t ring_mib = 16;       // --ring-mib: ring buffer size (power of two)
  bool verbose = false;              // -v: print the probe plan
};

// Exit codes of run_collect (besides the CLI's 0 and 2).
inline constexpr int kExitBpfUnavailable = 77;  // no privileges or no BPF/uprobe support

// Outcome of a capture, for callers that want more than an exit code.
struct CollectResult {
  int exit_code = 0;
  std::uint64_t records = 0, drops = 0;
  int target_status = -1;  // wait status of a started target
};

// Runs a capture; prints progress and errors on stderr ("gtanalyze collect: …"). `stop`, when
// given, ends the capture when it becomes true (tests; SIGINT, SIGTERM and SIGHUP do too).
CollectResult collect(const CollectOptions& options, const std::atomic<bool>* stop = nullptr);

}  // namespace gtanalyze::collector
