// Go's text trace format (internal/trace/raw) and its .test case files: converts the readable
// form into wire bytes, driven by the spec table, byte for byte as Go's raw.Writer does.
#pragma once

#include <string>
#include <string_view>

#include "gtanalyze/error.hpp"

namespace gtanalyze::parser {

// A Go trace test case: a txtar archive with an "expect" file (SUCCESS, or FAILURE "regexp")
// and a "trace" file in the text format.
struct TraceTestCase {
  bool expect_failure = false;
  std::string error_pattern;  // the unquoted regexp of a FAILURE expectation
  std::string trace_text;
};

Result<TraceTestCase> parse_trace_test(std::string_view archive);

// Converts a text trace ("Trace Go1.NN" then one event per line) into the binary format,
// header included. Errors name the line.
Result<std::string> text_trace_to_binary(std::string_view text);

}  // namespace gtanalyze::parser
