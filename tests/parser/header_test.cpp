// The trace header: every version Go wrote is recognised; anything else gets a precise error.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "gtanalyze/trace_header.hpp"

using namespace gtanalyze;

namespace {
std::string header(const std::string& line) {
  std::string h = line;
  h.resize(kTraceHeaderSize, '\0');
  return h;
}
}  // namespace

TEST_CASE("every header Go wrote is recognised") {
  const unsigned minors[] = {5, 7, 8, 9, 10, 11, 19, 21, 22, 23, 25, 26};
  for (unsigned minor : minors) {
    auto v = parse_trace_header(header("go 1." + std::to_string(minor) + " trace"));
    REQUIRE(v.has_value());
    CHECK(static_cast<unsigned>(*v) == minor);
    CHECK(version_name(*v) == "1." + std::to_string(minor));
    CHECK(is_generational(*v) == (minor >= 22));
  }
}

TEST_CASE("versions Go never wrote are named in the error") {
  for (const char* line : {"go 1.6 trace", "go 1.24 trace", "go 1.99 trace", "go 1.4 trace"}) {
    auto v = parse_trace_header(header(line));
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == ErrorCode::UnsupportedVersion);
    std::string minor = std::string(line).substr(3, std::string(line).find(' ', 3) - 3);
    CHECK(v.error().message.find("go " + minor) != std::string::npos);
    // Only a version past the newest known one points at a newer gtanalyze.
    CHECK((v.error().message.find("newer than this gtanalyze knows") != std::string::npos) ==
          (std::string(line) == "go 1.99 trace"));
  }
}

TEST_CASE("non-traces say what they look like") {
  struct Case {
    std::string bytes;
    const char* expect;
  };
  const Case cases[] = {
      {"", "empty"},
      {std::string("\x7f"
                   "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                   16),
       "ELF binary"},
      {"{\"schema\": \"gtanalyze/v1\"}", "JSON"},
      {"hello, world\nthis is text", "text"},
      {"Trace Go1.22\nEventBatch gen=1", "text format"},
      {std::string("PK\x03\x04rest", 8), "zip"},
      {"go 2.0 trace", "expected \"go 1.N trace\""},
  };
  for (const auto& c : cases) {
    auto v = parse_trace_header(c.bytes);
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == ErrorCode::NotATrace);
    INFO(v.error().message);
    CHECK(v.error().message.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("a header cut short or badly padded is an error at its offset") {
  auto cut = parse_trace_header("go 1.22 trace");
  REQUIRE_FALSE(cut.has_value());
  CHECK(cut.error().code == ErrorCode::Truncated);
  CHECK(cut.error().offset == 13);

  // Cut anywhere in the header: still a trace, cut short (export counted "go 1.26 tr" as a file
  // that is not a trace, and skipped it quietly).
  for (std::string_view part : {"go", "go 1.", "go 1.2", "go 1.26 tr"}) {
    INFO(part);
    auto short_header = parse_trace_header(part);
    REQUIRE_FALSE(short_header.has_value());
    CHECK(short_header.error().code == ErrorCode::Truncated);
  }
  for (std::string_view other : {"gx", "go 1.x", "go 1.26 tx"}) {
    INFO(other);
    CHECK(parse_trace_header(other).error().code == ErrorCode::NotATrace);
  }

  std::string padded = header("go 1.22 trace");
  padded[14] = 'x';
  auto bad = parse_trace_header(padded);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().offset == 14);
}
