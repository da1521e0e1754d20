// The capture file (docs/capture-format.md): a header (Go version, build id, offsets, probe set,
// clock), fixed 64-byte records exactly as the BPF program wrote them, and a trailer (counts,
// hits, drops, symbols for the pcs the records mention, goroutines that existed at attach).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/go_binary.hpp"
#include "collector/gtcollect_event.h"
#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

inline constexpr std::string_view kCaptureMagic{"\x89GTACAP\n", 8};
inline constexpr std::string_view kCaptureEndMagic{"GTACEND\n", 8};
inline constexpr std::uint32_t kCaptureFormatVersion = 1;

// True when `prefix` starts like a capture file (for sniffing next to trace headers).
inline bool is_capture(std::string_view prefix) { return prefix.substr(0, kCaptureMagic.size()) == kCaptureMagic; }

struct CaptureProbe {
  std::uint8_t kind = 0;  // gtc_kind
  std::string function;
  std::uint64_t entry = 0, attach = 0;
  bool emulated = false;
};

struct CaptureHeader {
  std::string go_version;  // "go1.23.5"
  std::uint32_t go_minor = 0;
  std::string build_id;
  std::string binary;  // path at capture time
  std::uint32_t pid = 0;
  bool attached_running = false;  // --pid: the process ran before the capture started
  std::uint32_t clock_id = 1;     // CLOCK_MONOTONIC: the records' ts
  std::uint64_t start_mono = 0;   // ns, CLOCK_MONOTONIC, when the probes were live
  std::uint64_t start_wall = 0;   // ns since the Unix epoch, read next to start_mono
  RuntimeOffsets offsets;
  std::string offsets_source;  // "DWARF" or "table go1.N"
  std::vector<CaptureProbe> probes;
};

// A pc the records mention (g.startpc, g.gopc), resolved when the capture ended.
struct CaptureSymbol {
  std::uint64_t pc = 0;
  std::string function;  // for a start pc: the function the tracer reports (wrappers resolved)
  std::string file;
  std::uint64_t line = 0;
};

// A goroutine that existed when the probes were attached (--pid), from runtime.allgs.
struct InitialGoroutine {
  std::int64_t goid = 0;
  std::uint64_t gp = 0;
  std::uint32_t status = 0;  // g status number
  std::uint8_t wait_reason = 0;
  std::uint64_t startpc = 0;
};

struct CaptureTrailer {
  std::uint64_t records = 0;
  std::array<std::uint64_t, GTC_STAT_COUNT> stats{};  // hits by gtc_kind; [GTC_STAT_DROPS] = drops
  std::uint64_t end_mono = 0;
  std::int32_t exit_status = -1;  // the target's wait status when we started it, else -1
  std::vector<CaptureSymbol> symbols;
  std::vector<InitialGoroutine> initial;
  std::uint64_t drops() const { return stats[GTC_STAT_DROPS]; }
};

struct Capture {
  CaptureHeader header;
  std::vector<gtc_record> records;
  CaptureTrailer trailer;
  bool complete = true;                      // false: no trailer (the collector was killed); records up to the end
  std::optional<std::uint64_t> cut_trailer;  // without a trailer: the offset of the start of one cut short
  std::uint64_t cut_record_bytes = 0;        // without a trailer: the bytes of a last record cut short
  std::uint64_t records_offset = 0;          // file offset of the first record, for error messages
};

// Parses a whole capture file.
Result<Capture> parse_capture(std::string_view bytes);

// Writes a capture: header at open, records as they come, trailer at finish().
class CaptureWriter {
 public:
  static Result<std::unique_ptr<CaptureWriter>> open(const std::string& path, const CaptureHeader& header);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  Status write(const gtc_record& r);
  std::uint64_t records() const { return records_; }
  Status finish(CaptureTrailer trailer);

 private:
  CaptureWriter() = default;
  // The error for the write that failed (errno's reason); closes and removes the file.
  Error failed();
  std::FILE* f_ = nullptr;  // null once finished or failed
  bool regular_ = false;    // a regular file, removed if the capture fails
  std::string path_;
  std::uint64_t records_ = 0;
  std::uint64_t records_offset_ = 0;
};

// The encoded header/trailer, for tests and writers to memory.
std::string encode_header(const CaptureHeader& h);
std::string encode_trailer(const CaptureTrailer& t, std::uint64_t trailer_offset);

}  // namespace gtanalyze::collector
