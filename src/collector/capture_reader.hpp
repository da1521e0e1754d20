// A capture read as a trace: the raw uprobe records turned into the Go 1.22+ event model
// (GoCreate, GoStart, GoBlock, GoUnblock, GoStop, GoSyscallBegin/End/EndBlocked, GoDestroy,
// GoStatus), so `gtanalyze CAPTURE` runs the same Summarizer as for a trace.
//
// The mapping (docs/capture-format.md has the table):
//   * goids of creations before Go 1.24 come from the g's next record (newproc1 assigns the goid
//     after its first status change);
//   * Running→Waiting with a transient reason (isWaitingForGC / isWaitingForSuspendG) is no
//     block: the goroutine keeps running, as the tracer sees it;
//   * block reasons are m.waitTraceBlockReason decoded with the version's table, named as the
//     trace names them;
//   * Go 1.26 syscall probes and casgstatus may both report one change: the state machine
//     drops the repeat.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "collector/capture_file.hpp"
#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/leak_proof.hpp"
#include "gtanalyze/reader.hpp"

namespace gtanalyze::collector {

class CaptureTables;

class CaptureReader final : public TraceReader {
 public:
  // Reads the whole capture from `source` (captures are small: fixed-size records).
  static Result<std::unique_ptr<CaptureReader>> open(ByteSource& source);
  static Result<std::unique_ptr<CaptureReader>> from_capture(Capture capture);
  ~CaptureReader() override;

  Version version() const override;
  Result<bool> next(Event& out) override;
  const std::vector<std::string>& warnings() const override { return warnings_; }
  ReaderStats stats() const override;

  const Capture& capture() const { return capture_; }
  // The goroutines the capture saw Go 1.26's leak-detecting GC mark leaked (casgstatus to
  // _Gleaked), ascending.
  const std::vector<GoId>& leaked() const { return leaked_; }
  // When goroutines were created that it never saw again, whose goid a capture before Go 1.24
  // cannot know, ascending.
  const std::vector<Time>& unnamed_creations() const { return unnamed_creations_; }
  // Every event of the capture, converted when it was opened.
  std::span<const Event> events() const { return events_; }

 private:
  CaptureReader();
  Status convert();

  Capture capture_;
  std::unique_ptr<CaptureTables> tables_;
  std::vector<Event> events_;
  std::size_t next_ = 0;
  std::vector<std::string> warnings_;
  std::vector<GoId> leaked_;
  std::vector<Time> unnamed_creations_;
  std::uint64_t bytes_ = 0;
};

// The leaked goroutines (CaptureReader::leaked) of the capture in `source`.
Result<CaptureLeaks> leaked_goroutines(ByteSource& source);

// What a capture-side `go` statement start looks like to the tracer: the start function name for
// a record's startpc, from the capture's symbols ("" when unknown).
std::string_view capture_start_function(const Capture& c, std::uint64_t startpc);

}  // namespace gtanalyze::collector
