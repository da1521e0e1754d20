// Text trace → wire bytes, following Go's raw.TextReader (tokens, comments, argument order) and
// raw.Writer (uvarints, no padding), so that converted test cases are identical to Go's.
#include "parser/text_trace.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <vector>

#include "gtanalyze/version.hpp"
#include "parser/spec.hpp"
#include "parser/wire.hpp"

namespace gtanalyze::parser {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// The next token of `s` and what follows it; a '#' starts a comment that ends the line.
std::string_view read_token(std::string_view s, std::string_view& rest) {
  std::size_t start = 0;
  while (start < s.size() && is_space(s[start])) start++;
  if (start == s.size() || s[start] == '#') {
    rest = {};
    return {};
  }
  std::size_t end = start;
  while (end < s.size() && !is_space(s[end]) && s[end] != '#') end++;
  rest = s.substr(end);
  return s.substr(start, end - start);
}

bool only_space(std::string_view s) {
  for (char c : s) {
    if (!is_space(c)) return false;
  }
  return true;
}

// Splits text into lines as bufio.ScanLines does (a trailing "\r" is dropped).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // The next line that holds a token (blank and comment-only lines are skipped); false at the end.
  bool next(std::string_view& line) {
    while (pos_ < text_.size()) {
      std::size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      line = text_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      line_no_++;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string_view rest;
      if (!read_token(line, rest).empty()) return true;
    }
    return false;
  }
  std::size_t line_no() const { return line_no_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_no_ = 0;
};

// Reads "name=value" pairs with exactly the expected names, in order.
bool read_args(std::string_view s, std::span<const std::string_view> names, std::vector<std::uint64_t>& out,
               std::string& why) {
  for (std::string_view name : names) {
    std::string_view rest;
    std::string_view tok = read_token(s, rest);
    if (tok.empty()) {
      why = "no argument";
      return false;
    }
    std::size_t eq = tok.find('=');
    if (eq == std::string_view::npos) {
      why = fmt::format("malformed argument: \"{}\"", tok);
      return false;
    }
    std::string_view arg = tok.substr(0, eq);
    std::string_view val = tok.substr(eq + 1);
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(val.data(), val.data() + val.size(), value, 10);
    if (ec != std::errc() || ptr != val.data() + val.size() || val.empty()) {
      why = fmt::format("failed to parse argument value \"{}\" for arg \"{}\"", val, arg);
      return false;
    }
    if (arg != name) {
      why = fmt::format("expected argument \"{}\", but got \"{}\"", name, arg);
      return false;
    }
    out.push_back(value);
    s = rest;
  }
  if (!only_space(s)) {
    why = fmt::format("encountered unexpected non-space at the end of an event: \"{}\"", s);
    return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t r) {
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// The n hex digits at q[i] as a number; false if they are not all there.
bool read_hex(std::string_view q, std::size_t i, std::size_t n, std::uint32_t& v) {
  if (i + n > q.size()) return false;
  v = 0;
  for (std::size_t k = 0; k < n; k++) {
    const int d = hex_digit(q[i + k]);
    if (d < 0) return false;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return true;
}

// One escape sequence of a double-quoted string, q[i] just after its backslash: appended to
// `out`, i moved past it; false if it is malformed (Go's strconv.UnquoteChar).
bool unescape(std::string_view q, std::size_t& i, std::string& out) {
  if (i >= q.size()) return false;
  const char e = q[i++];
  switch (e) {
    case 'a': out.push_back('\a'); return true;
    case 'b': out.push_back('\b'); return true;
    case 'f': out.push_back('\f'); return true;
    case 'n': out.push_back('\n'); return true;
    case 'r': out.push_back('\r'); return true;
    case 't': out.push_back('\t'); return true;
    case 'v': out.push_back('\v'); return true;
    case '\\': out.push_back('\\'); return true;
    case '"': out.push_back('"'); return true;
    case 'x':
    case 'u':
    case 'U': {
      const std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      std::uint32_t v = 0;
      if (!read_hex(q, i, n, v)) return false;
      i += n;
      if (e == 'x') {
        out.push_back(static_cast<char>(v));
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return false;
      append_utf8(out, v);
      return true;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      // Three octal digits, at most 0377.
      if (i + 2 > q.size()) return false;
      auto v = static_cast<std::uint32_t>(e - '0');
      for (std::size_t k = 0; k < 2; k++) {
        const char d = q[i + k];
        if (d < '0' || d > '7') return false;
        v = v * 8 + static_cast<std::uint32_t>(d - '0');
      }
      if (v > 255) return false;
      i += 2;
      out.push_back(static_cast<char>(v));
      return true;
    }
    default: return false;
  }
}

// Go's strconv.Unquote for double-quoted and back-quoted strings.
bool unquote(std::string_view q, std::string& out) {
  out.clear();
  if (q.size() < 2) return false;
  if (q.front() == '`') {
    if (q.back() != '`') return false;
    q = q.substr(1, q.size() - 2);
    if (q.find('`') != std::string_view::npos) return false;
    for (char c : q) {
      if (c != '\r') out.push_back(c);
    }
    return true;
  }
  if (q.front() != '"' || q.back() != '"') return false;
  q = q.substr(1, q.size() - 2);
  for (std::size_t i = 0; i < q.size();) {
    const char c = q[i++];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      out.push_back(c);
    } else if (!unescape(q, i, out)) {
      return false;
    }
  }
  return true;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Error line_error(const LineReader& lines, std::string message) {
  return make_error(ErrorCode::Corrupt, lines.line_no(), fmt::format("line {}: {}", lines.line_no(), message));
}

constexpr std::string_view kFrameFields[] = {"pc", "func", "file", "line"};

}  // namespace

Result<TraceTestCase> parse_trace_test(std::string_view archive) {
  // txtar: "-- name --" lines start files; anything before the first is a comment.
  std::vector<std::pair<std::string_view, std::string_view>> files;
  std::size_t pos = 0;
  std::size_t data_start = std::string_view::npos;
  std::string_view name;
  while (pos <= archive.size()) {
    std::size_t nl = archive.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? archive.size() : nl;
    std::string_view line = archive.substr(pos, end - pos);
    if (line.size() >= 6 && line.substr(0, 3) == "-- " && line.substr(line.size() - 3) == " --") {
      if (data_start != std::string_view::npos) files.emplace_back(name, archive.substr(data_start, pos - data_start));
      name = line.substr(3, line.size() - 6);
      data_start = nl == std::string_view::npos ? archive.size() : nl + 1;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (data_start != std::string_view::npos) files.emplace_back(name, archive.substr(data_start));
  if (files.size() != 2 || files[0].first != "expect" || files[1].first != "trace") {
    return make_error(ErrorCode::Corrupt, 0, "malformed test: want files \"expect\" and \"trace\"");
  }
  TraceTestCase tc;
  std::string_view expect = files[0].second;
  expect = expect.substr(0, expect.find('\n'));
  if (expect == "SUCCESS" || expect.substr(0, 8) == "SUCCESS ") {
    tc.expect_failure = false;
  } else if (expect.substr(0, 8) == "FAILURE ") {
    tc.expect_failure = true;
    if (!unquote(expect.substr(8), tc.error_pattern)) {
      return make_error(ErrorCode::Corrupt, 0, fmt::format("malformed pattern: {}", expect.substr(8)));
    }
  } else {
    return make_error(ErrorCode::Corrupt, 0, fmt::format("bad header line: \"{}\"", expect));
  }
  tc.trace_text = std::string(files[1].second);
  return tc;
}

namespace {

// The header line, "Trace Go1.NN": N, and the format it names, which must be generational.
struct Header {
  unsigned minor = 0;
  Version version = Version::Go1_22;
};

Result<Header> read_header(LineReader& lines) {
  std::string_view line;
  if (!lines.next(line)) return make_error(ErrorCode::Truncated, 0, "empty text trace");
  std::string_view rest;
  if (read_token(line, rest) != "Trace") return line_error(lines, "failed to parse header");
  std::string_view gover = read_token(rest, rest);
  if (gover.substr(0, 4) != "Go1.") return line_error(lines, "failed to parse header Go version");
  unsigned minor = 0;
  auto [ptr, ec] = std::from_chars(gover.data() + 4, gover.data() + gover.size(), minor);
  if (ec != std::errc() || ptr != gover.data() + gover.size()) {
    return line_error(lines, "failed to parse header Go version");
  }
  auto version = version_from_minor(minor);
  if (!version || !is_generational(*version)) {
    return line_error(lines, fmt::format("unknown or unsupported Go version 1.{}", minor));
  }
  if (!only_space(rest)) return line_error(lines, "encountered unexpected non-space at the end of the header");
  return Header{minor, *version};
}

// A Stack event's frames, one line each after the event's own.
Status append_frames(LineReader& lines, std::uint64_t frames, std::string& out) {
  std::string_view line;
  std::vector<std::uint64_t> args;
  std::string why;
  for (std::uint64_t i = 0; i < frames; i++) {
    if (!lines.next(line)) return line_error(lines, "unexpected EOF while reading stack");
    args.clear();
    if (!read_args(line, kFrameFields, args, why)) return line_error(lines, why);
    for (std::uint64_t a : args) append_uvarint(out, a);
  }
  return {};
}

// The data of an event that has some: a line `data="..."` after the event's own.
Status append_data(LineReader& lines, std::string_view name, std::string& out) {
  std::string_view line;
  if (!lines.next(line)) return line_error(lines, fmt::format("unexpected EOF while reading data for {}", name));
  const std::size_t eq = line.find('=');
  if (eq == std::string_view::npos || trim_space(line.substr(0, eq)) != "data") {
    return line_error(lines, "malformed data");
  }
  std::string data;
  if (!unquote(trim_space(line.substr(eq + 1)), data)) return line_error(lines, "failed to parse data");
  append_uvarint(out, data.size());
  out += data;
  return {};
}

}  // namespace

Result<std::string> text_trace_to_binary(std::string_view text) {
  LineReader lines(text);
  auto header = read_header(lines);
  if (!header) return header.error();
  const auto specs = specs_for(header->version);

  std::string out = fmt::format("go 1.{} trace", header->minor);
  out.resize(16, '\0');
  std::vector<std::uint64_t> args;
  std::string why;
  std::string_view line, rest;
  while (lines.next(line)) {
    std::string_view name = read_token(line, rest);
    std::size_t type = 0;
    while (type < specs.size() && specs[type].name != name) type++;
    if (type == specs.size()) return line_error(lines, fmt::format("unidentified event: {}", name));
    const EventSpec& spec = specs[type];
    args.clear();
    if (!read_args(rest, spec.args, args, why)) {
      return line_error(lines, fmt::format("reading args for {}: {}", name, why));
    }
    out.push_back(static_cast<char>(type));
    for (std::uint64_t a : args) append_uvarint(out, a);
    if (spec.is_stack) GTA_TRY(append_frames(lines, args[1], out));
    if (spec.has_data) GTA_TRY(append_data(lines, name, out));
  }
  return out;
}

}  // namespace gtanalyze::parser
