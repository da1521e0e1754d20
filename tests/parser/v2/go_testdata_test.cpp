// Go's own ordering test cases (corpus/go-testdata/tests): SUCCESS cases decode to the end,
// FAILURE cases fail with a message matching Go's expectation, and every dump equals Go's.
#include <catch2/catch_test_macros.hpp>

#include <filesystem>

#include "parser/support.hpp"
#include "parser/text_trace.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

namespace {

// Go's expectations are plain text, perhaps wrapped in ".*": matched as a substring (std::regex
// is avoided: GCC 12 warns inside it under the sanitizer build).
bool matches(const std::string& message, std::string pattern) {
  if (pattern.rfind(".*", 0) == 0) pattern.erase(0, 2);
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) pattern.resize(pattern.size() - 2);
  return message.find(pattern) != std::string::npos;
}

}  // namespace

TEST_CASE("Go's trace test cases: expectation and dump") {
  const auto tests = list_files(source_dir() + "/corpus/go-testdata/tests", ".test");
  REQUIRE(tests.size() >= 22);
  for (const std::string& path : tests) {
    const std::string name = std::filesystem::path(path).stem().string();
    DYNAMIC_SECTION(name) {
      auto test = parser::parse_trace_test(read_all(path));
      REQUIRE(test.has_value());
      auto bytes = parser::text_trace_to_binary(test->trace_text);
      REQUIRE(bytes.has_value());
      const DecodeResult res = decode(*bytes);
      if (test->expect_failure) {
        INFO("want an error matching " << test->error_pattern);
        REQUIRE_FALSE(res.ok);
        CHECK(matches(res.error.message, test->error_pattern));
      } else {
        INFO(res.error.describe());
        REQUIRE(res.ok);
        CHECK(res.warnings.empty());
      }
      const std::string golden = source_dir() + "/tests/golden/v2/go-testdata/" + name + ".parsed.zst";
      if (std::filesystem::exists(golden)) CHECK(res.dump == read_all(golden));
    }
  }
}
