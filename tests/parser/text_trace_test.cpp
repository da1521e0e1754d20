// The text-trace converter: Go's .test cases must become exactly the bytes Go's raw.Writer wrote
// (tests/golden/v2/go-testdata/*.trace), and malformed text must give errors, not garbage.
#include <catch2/catch_test_macros.hpp>

#include <filesystem>

#include "parser/support.hpp"
#include "parser/text_trace.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

TEST_CASE("text traces convert byte for byte as Go's raw.Writer") {
  const auto goldens = list_files(source_dir() + "/tests/golden/v2/go-testdata", ".trace");
  REQUIRE(goldens.size() >= 22);
  for (const std::string& golden : goldens) {
    const std::string name = std::filesystem::path(golden).stem().string();
    DYNAMIC_SECTION(name) {
      auto test = parser::parse_trace_test(read_all(source_dir() + "/corpus/go-testdata/tests/" + name + ".test"));
      REQUIRE(test.has_value());
      auto bytes = parser::text_trace_to_binary(test->trace_text);
      REQUIRE(bytes.has_value());
      CHECK(*bytes == read_all(golden));
    }
  }
}

TEST_CASE("text trace details: comments, stacks, data, errors") {
  const std::string text =
      "Trace Go1.22\n"
      "# a comment line, then a blank line\n"
      "\n"
      "EventBatch gen=1 m=0 time=5 size=300\n"
      "Stacks\n"
      "Stack id=1 nframes=1\n"
      "\tpc=4660 func=2 file=3 line=10\n"
      "String id=2\n"
      "\tdata=\"a\\x00\\u00e9\\\"\"\n";
  auto bytes = parser::text_trace_to_binary(text);
  INFO((bytes ? std::string() : bytes.error().message));
  REQUIRE(bytes.has_value());
  const std::string want = std::string("go 1.22 trace\0\0\0", 16) + std::string("\x01\x01\x00\x05\xac\x02", 6) +
                           "\x02" + std::string("\x03\x01\x01\xb4\x24\x02\x03\x0a", 8) +
                           std::string(
                               "\x05\x02\x05"
                               "a\0\xc3\xa9\"",
                               8);
  CHECK(*bytes == want);

  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.21\n").has_value());
  // As in Go, the header line takes no trailing comment.
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22 # comment\n").has_value());
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22\nNoSuchEvent\n").has_value());
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22\nProcStart dt=1 p=2\n").has_value());
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22\nProcStart dt=1 p_seq=2 p=3\n").has_value());
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22\nString id=1\n").has_value());
  CHECK_FALSE(
      parser::text_trace_to_binary("Trace Go1.22\nStack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n").has_value());
  // GoSwitch is a Go 1.23 event.
  CHECK_FALSE(parser::text_trace_to_binary("Trace Go1.22\nGoSwitch dt=1 g=2 g_seq=3\n").has_value());
  CHECK(parser::text_trace_to_binary("Trace Go1.23\nGoSwitch dt=1 g=2 g_seq=3\n").has_value());
}
