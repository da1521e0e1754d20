// Format detection for every command: the capture magic, the Go trace header and a JSON
// object's opening brace, tried in that order (they cannot overlap).
#include "input/input.hpp"

#include "gtanalyze/trace_header.hpp"
#include "input/leak_profile.hpp"
#if GTANALYZE_WITH_COLLECTOR
#include "collector/capture_reader.hpp"
#endif

namespace gtanalyze::input {
namespace {

// An export written by hand or by another tool may start with white space before its '{', or
// with a UTF-8 byte order mark (PowerShell's Out-File writes one; the JSON parser skips it).
constexpr std::size_t kJsonLookahead = 64;

bool starts_like_json(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  const auto first = head.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && head[first] == '{';
}

}  // namespace

Result<Format> detect(ByteSource& source) {
  auto head = source.peek(kTraceHeaderSize);
  if (!head) return std::move(head).error();
#if GTANALYZE_WITH_COLLECTOR
  if (collector::is_capture(*head)) return Format::Capture;
#endif
  auto version = parse_trace_header(*head);
  if (version) return Format::GoTrace;
  auto more = source.peek(kJsonLookahead);
  if (!more) return std::move(more).error();
  if (starts_like_json(*more)) return Format::JsonExport;
  return std::move(version).error();
}

Result<std::unique_ptr<TraceReader>> open_events(ByteSource& source) {
  auto format = detect(source);
  if (!format) return std::move(format).error();
#if GTANALYZE_WITH_COLLECTOR
  if (*format == Format::Capture) {
    auto capture = collector::CaptureReader::open(source);
    if (!capture) return std::move(capture).error();
    return std::unique_ptr<TraceReader>(std::move(*capture));
  }
#endif
  // A Go trace. A JSON export fails its header check, which says what it is instead.
  return TraceReader::open(source);
}

Result<LeakProofInput> read_leak_proof(ByteSource& source) {
  auto head = source.peek(kTraceHeaderSize);
  if (!head) return std::move(head).error();
  LeakProofInput proof;
#if GTANALYZE_WITH_COLLECTOR
  if (collector::is_capture(*head)) {
    auto leaked = collector::leaked_goroutines(source);
    if (!leaked) return std::move(leaked).error();
    proof.kind = LeakProof::Capture;
    proof.capture = std::move(*leaked);
    return proof;
  }
#endif
  if (!starts_like_profile(*head)) {
    return make_error(ErrorCode::NotATrace, 0,
                      "not a goroutineleak profile (a gzipped pprof profile) nor a capture of gtanalyze collect");
  }
  auto profile = read_leak_profile(source);
  if (!profile) return std::move(profile).error();
  proof.kind = LeakProof::Profile;
  proof.profile = std::move(*profile);
  return proof;
}

}  // namespace gtanalyze::input
