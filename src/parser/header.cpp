// Recognises the trace header and, when it is not one, says what the input looks like instead.
#include <fmt/format.h>

#include <cctype>
#include <string>

#include "gtanalyze/trace_header.hpp"

namespace gtanalyze {

std::optional<Version> version_from_minor(unsigned minor) {
  switch (minor) {
    case 5:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 19:
    case 21:
    case 22:
    case 23:
    case 25:
    case 26: return static_cast<Version>(minor);
    default: return std::nullopt;
  }
}

std::string version_name(Version v) { return fmt::format("1.{}", static_cast<unsigned>(v)); }

namespace {

constexpr std::string_view kSupported = "1.5, 1.7, 1.8, 1.9, 1.10, 1.11, 1.19, 1.21, 1.22, 1.23, 1.25, 1.26";

// The first bytes, printable and quoted, for an error message.
std::string quote_prefix(std::string_view bytes) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size() && i < 16; i++) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (std::isprint(c)) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  out += '"';
  return out;
}

// A guess at what a non-trace file is, from its first bytes.
std::string_view looks_like(std::string_view b) {
  auto has = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
  if (has("\x7f"
          "ELF"))
    return "an ELF binary (pass the trace file, not the program)";
  if (has("PK\x03\x04")) return "a zip archive";
  if (has("{") || has("[")) return "JSON";
  if (has("%PDF")) return "a PDF document";
  if (has("BZh")) return "bzip2 data (only gzip and zstd are decompressed)";
  if (has("\xfd"
          "7zXZ"))
    return "xz data (only gzip and zstd are decompressed)";
  if (has("Trace Go1.")) return "a trace in Go's text format (convert it with gtanalyze-text2trace)";
  if (has("\x0a") || has("\x08") || has("\x12")) return "binary data (a pprof profile or other protobuf?)";
  bool text = !b.empty();
  for (char c : b) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isprint(u) && !std::isspace(u)) text = false;
  }
  return text ? "text" : "binary data";
}

}  // namespace

std::optional<std::string> second_trace(std::string_view bytes, std::uint64_t offset) {
  auto version = parse_trace_header(bytes);
  if (!version) return std::nullopt;
  return fmt::format(
      "a second trace begins here (a Go {} trace header): traces written one after another into "
      "one file; the first is its first {} bytes",
      version_name(*version), offset);
}

Result<Version> parse_trace_header(std::string_view b) {
  if (b.empty()) return make_error(ErrorCode::NotATrace, 0, "not a Go execution trace: the input is empty");
  constexpr std::string_view kPrefix = "go 1.";
  constexpr std::string_view kSuffix = " trace";
  auto not_a_trace = [&] {
    return make_error(ErrorCode::NotATrace, 0,
                      fmt::format("not a Go execution trace: it starts with {} ({}), expected \"go 1.N trace\"",
                                  quote_prefix(b), looks_like(b)));
  };
  auto cut_short = [&] {
    return make_error(ErrorCode::Truncated, b.size(),
                      fmt::format("trace header cut short after {} of {} bytes", b.size(), kTraceHeaderSize));
  };
  // Bytes that end before the header is whole, as far as they go a header: a trace cut there.
  auto begins = [&](std::string_view want, std::size_t at) {
    return at + want.size() > b.size() && b.substr(at) == want.substr(0, b.size() - at);
  };
  if (begins(kPrefix, 0)) return cut_short();
  if (b.substr(0, kPrefix.size()) != kPrefix) return not_a_trace();
  std::size_t i = kPrefix.size();
  unsigned minor = 0;
  std::size_t digits = 0;
  while (i < b.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(b[i]))) {
    minor = minor * 10 + static_cast<unsigned>(b[i] - '0');
    i++;
    digits++;
  }
  if (i == b.size() || (digits > 0 && begins(kSuffix, i))) return cut_short();
  if (digits == 0 || b.substr(i, kSuffix.size()) != kSuffix) return not_a_trace();
  i += kSuffix.size();
  if (b.size() < kTraceHeaderSize) return cut_short();
  for (; i < kTraceHeaderSize; i++) {
    if (b[i] != '\0') {
      return make_error(ErrorCode::NotATrace, i,
                        fmt::format("malformed trace header {}: expected NUL padding to 16 bytes", quote_prefix(b)));
    }
  }
  auto version = version_from_minor(minor);
  if (!version) {
    // A Go newer than this build: the way out is a newer gtanalyze, not another trace.
    const bool newer = minor > static_cast<unsigned>(Version::Go1_26);
    return make_error(ErrorCode::UnsupportedVersion, 0,
                      fmt::format("unsupported Go trace format version go 1.{}{} (supported: {})", minor,
                                  newer ? ", newer than this gtanalyze knows" : "", kSupported));
  }
  return *version;
}

Result<Version> read_trace_header(ByteSource& source) {
  char buf[kTraceHeaderSize];
  auto got = source.read(buf, sizeof buf);
  if (!got) return std::move(got).error();
  return parse_trace_header(std::string_view(buf, *got));
}

}  // namespace gtanalyze
