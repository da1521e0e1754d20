// Golden dumps: for every Go 1.22+ corpus trace, our dump equals `go tool trace -d=parsed`
// (tests/golden/v2/go1.NN/NAME.parsed.zst, made by tools/golden/make-v2-goldens.sh).
#include <catch2/catch_test_macros.hpp>

#include <filesystem>

#include "parser/support.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

namespace {

// The first line where two dumps differ, for a readable failure.
std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0, line = 1, start = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) {
    if (a[i] == '\n') {
      line++;
      start = i + 1;
    }
    i++;
  }
  auto line_of = [start](const std::string& s) { return s.substr(start, s.find('\n', start) - start); };
  return "line " + std::to_string(line) + ":\n ours: " + line_of(a) + "\n   go: " + line_of(b);
}

}  // namespace

TEST_CASE("corpus traces dump exactly as go tool trace -d=parsed") {
  std::size_t compared = 0;
  for (int minor = 22; minor <= 30; minor++) {
    const std::string version = "go1." + std::to_string(minor);
    for (const std::string& golden : list_files(source_dir() + "/tests/golden/v2/" + version, ".parsed.zst")) {
      std::string name = std::filesystem::path(golden).filename().string();
      name = name.substr(0, name.size() - std::string(".parsed.zst").size());
      const std::string trace = source_dir() + "/corpus/" + version + "/" + name + ".trace";
      if (!std::filesystem::exists(trace)) continue;
      DYNAMIC_SECTION(version << "/" << name) {
        const DecodeResult res = decode(read_all(trace));
        INFO(res.error.describe());
        CHECK(res.ok);
        const std::string want = read_all(golden);
        INFO(first_difference(res.dump, want));
        CHECK(res.dump == want);
      }
      compared++;
    }
  }
  CHECK(compared >= 40);
}
