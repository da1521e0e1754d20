// Per-Go-version runtime enums the collector decodes: waitReason (g.waitreason) and the trace
// block reason the runtime stores in m.waitTraceBlockReason (m.waittraceev on Go 1.19). The data
// is generated from each toolchain's runtime sources (tools/collector/gen_wait_reasons.py) into
// wait_reason_tables.cpp and checked in: the values differ between versions.
#pragma once

#include <span>
#include <string_view>

namespace gtanalyze::collector {

struct WaitReasonInfo {
  std::string_view name;  // the constant without its prefix: "ChanReceive"
  std::string_view text;  // waitReasonStrings: "chan receive"
  // A Running→Waiting change with this reason is not a block the tracer reports: the goroutine
  // keeps running on the system stack (isWaitingForGC / isWaitingForSuspendG).
  bool transient = false;
};

struct BlockReasonInfo {
  std::string_view name;  // "traceBlockChanSend", or "traceEvGoBlockSend" on old tracers
  std::string_view text;  // the reason string the trace (or our v1 converter) gives: "chan send"
  bool valid = false;     // false: the value is not a block reason
};

struct RuntimeTables {
  unsigned minor = 0;                              // the N of go1.N
  std::string_view go_version;                     // the release the table was generated from: "go1.23.5"
  std::span<const WaitReasonInfo> wait_reasons;    // indexed by the waitReason value
  std::span<const BlockReasonInfo> block_reasons;  // indexed by the stored block reason byte
  bool old_tracer = false;                         // block reasons are old traceEv numbers (Go ≤ 1.21)
};

// Every generated table, ascending minor.
std::span<const RuntimeTables> all_runtime_tables();

// The table of go1.MINOR, or nullptr when none was generated for it.
inline const RuntimeTables* runtime_tables(unsigned minor) {
  for (const auto& t : all_runtime_tables()) {
    if (t.minor == minor) return &t;
  }
  return nullptr;
}

}  // namespace gtanalyze::collector
