// NameRegex: Go's regexp syntax over RE2. The expectations are Go 1.26's regexp.Compile and
// MatchString on the same patterns and names.
#include "base/name_regex.hpp"

#include <catch2/catch_test_macros.hpp>
#include <string>

using gtanalyze::base::NameRegex;

namespace {
bool matches(const char* pattern, const char* name) {
  const NameRegex re(pattern);
  REQUIRE(re.ok());
  return re.search(name);
}
}  // namespace

TEST_CASE("(?<name>re) is a named group, as in Go 1.22+; elsewhere (?< is literal or refused") {
  CHECK(matches("(?<n>ab)c", "abc"));
  CHECK_FALSE(matches("(?<n>ab)c", "(?<x"));
  CHECK(matches("(?<1a>b)", "abc"));
  CHECK(matches("[[:alpha:]](?<x>y)", "zy"));
  CHECK_FALSE(matches("[]a](?<q>r)", "abc"));
  // Quoted by a class or by \Q...\E: the characters themselves.
  CHECK(matches("[(?<]x", "(?<x"));
  CHECK_FALSE(matches("[(?<]x", "abc"));
  CHECK(matches("\\Q(?<\\E", "(?<x"));
  CHECK(matches("\\Q\\C\\E", "\\C"));
  // Lookbehind and an empty name: refused, as Go refuses them.
  CHECK_FALSE(NameRegex("(?<=a)").ok());
  CHECK_FALSE(NameRegex("(?<!a)").ok());
  CHECK_FALSE(NameRegex("(?<>a)").ok());
}

TEST_CASE("\\C is refused, in a class too; the error names the pattern as given") {
  for (const char* pattern : {"a\\C", "[\\C]"}) {
    const NameRegex re(pattern);
    CHECK_FALSE(re.ok());
    CHECK(re.error() == "invalid escape sequence: \\C");
    CHECK(re.pattern() == pattern);
  }
  CHECK(NameRegex("(?<n>x").pattern() == "(?<n>x");
  CHECK_FALSE(NameRegex("(?<n>x").ok());
}
