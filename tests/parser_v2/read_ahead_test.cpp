// read_ahead() (--threads 2) delivers what the reader alone does: the same events with the same
// strings and stacks, warnings and errors, even when its thread has run generations ahead of the
// consumer (the tables of earlier generations must stay pinned; ASan checks the rest).
#include <catch2/catch_test_macros.hpp>

#include <filesystem>

#include "parser/text_trace.hpp"
#include "parser_v2/support.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

namespace {

void check_same(const std::string& name, const std::string& bytes) {
  INFO(name << " (" << bytes.size() << " bytes)");
  const DecodeResult alone = decode(bytes);
  const DecodeResult ahead = decode(bytes, true, Threads::ReadAheadLate);
  CHECK(ahead.events == alone.events);
  CHECK(ahead.dump == alone.dump);
  CHECK(ahead.ok == alone.ok);
  CHECK(ahead.error.describe() == alone.error.describe());
  CHECK(ahead.warnings == alone.warnings);
}

}  // namespace

TEST_CASE("read_ahead: Go's multi-generation test cases, whole and cut short") {
  const auto tests = list_files(source_dir() + "/corpus/go-testdata/tests", ".test");
  REQUIRE(tests.size() >= 22);
  for (const std::string& path : tests) {
    auto test = parser::parse_trace_test(read_all(path));
    REQUIRE(test.has_value());
    auto bytes = parser::text_trace_to_binary(test->trace_text);
    REQUIRE(bytes.has_value());
    const std::string name = std::filesystem::path(path).stem().string();
    check_same(name, *bytes);
    // Cut in the last generation: a warning after whole generations, or an error.
    check_same(name + " cut", bytes->substr(0, bytes->size() * 3 / 4));
  }
}

TEST_CASE("read_ahead: our corpus traces of every format") {
  for (const char* dir : {"corpus/go1.19", "corpus/go1.21", "corpus/go1.22", "corpus/go1.25", "corpus/go1.26"}) {
    for (const std::string& path : list_files(source_dir() + "/" + dir, ".trace")) {
      const std::string bytes = read_all(path);
      check_same(path, bytes);
      check_same(path + " cut", bytes.substr(0, bytes.size() / 2));
    }
  }
}
