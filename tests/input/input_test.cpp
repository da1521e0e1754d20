// The front door: each format recognised from its first bytes without consuming them, and every
// other input turned away with what it looks like.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "input/input.hpp"
#include "report/json.hpp"
#include "support/analyse.hpp"

using namespace gtanalyze;
using input::Format;

namespace {

Result<Format> detect(std::string_view bytes) {
  auto source = ByteSource::from_memory(bytes, "test");
  return input::detect(*source);
}

std::string error_of(std::string_view bytes) {
  auto format = detect(bytes);
  REQUIRE_FALSE(format.has_value());
  return format.error().message;
}

}  // namespace

TEST_CASE("a Go trace, a JSON export and a capture are told apart by their first bytes") {
  const std::string trace("go 1.26 trace\0\0\0\x01\x02", 18);
  auto source = ByteSource::from_memory(trace, "test");
  auto format = input::detect(*source);
  REQUIRE(format.has_value());
  CHECK(*format == Format::GoTrace);
  char first[5];
  REQUIRE(*source->read(first, sizeof first) == sizeof first);
  CHECK(std::string(first, sizeof first) == "go 1.");  // nothing consumed

  const std::string json = report::to_json(test::analyse("corpus/go1.26/leaky.trace"));
  CHECK(*detect(json) == Format::JsonExport);
  CHECK(*detect(" \r\n\t{\"schema\": \"other\"}") == Format::JsonExport);  // from_json says what is wrong with it

  const std::string capture("\x89GTACAP\n\x01\0\0\0", 12);
#if GTANALYZE_WITH_COLLECTOR
  CHECK(*detect(capture) == Format::Capture);
#else
  CHECK(error_of(capture).find("not a Go execution trace") != std::string::npos);
#endif
}

TEST_CASE("any other input is an error that says what it looks like") {
  CHECK(error_of("") == "not a Go execution trace: the input is empty");
  CHECK(error_of("this is not a trace\n") ==
        "not a Go execution trace: it starts with \"this is not a tr\" (text), expected \"go 1.N trace\"");
  CHECK(error_of("[1, 2]").find("(JSON)") != std::string::npos);  // an array is not an export
  CHECK(error_of(std::string("\x7f"
                             "ELF\x02\x01\x01\0",
                             8))
            .find("an ELF binary") != std::string::npos);
  CHECK(error_of(std::string("go 1.99 trace\0\0\0", 16)).find("unsupported Go trace format version go 1.99") !=
        std::string::npos);
  CHECK(error_of(std::string("go 1.26 trace\0", 14)) == "trace header cut short after 14 of 16 bytes");
}

TEST_CASE("a JSON export has no events to read") {
  const std::string json = "{\"schema\": \"gtanalyze/v1\"}";
  auto source = ByteSource::from_memory(json, "test");
  auto reader = input::open_events(*source);
  REQUIRE_FALSE(reader.has_value());
  CHECK(reader.error().message.find("not a Go execution trace: it starts with \"{\\\"schema\\\": \\\"gtan\" (JSON)") !=
        std::string::npos);
}
