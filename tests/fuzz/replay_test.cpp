// Every fuzz seed and every input a fuzzer ever found (tests/fuzz/regressions/<target>/), replayed
// through the fuzz entry points with the normal compiler, so each CI build — the ASan preset
// included — runs them. A crasher becomes a test by dropping the file in its target's folder.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/entry_points.hpp"
#include "fuzz/go_fuzz_file.hpp"

namespace fs = std::filesystem;
using namespace gtanalyze;

namespace {

const fs::path kSource = GTANALYZE_SOURCE_DIR;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The files of the given folders (relative to the repository), sorted, recursively.
std::vector<fs::path> files_in(std::initializer_list<const char*> dirs) {
  std::vector<fs::path> out;
  for (const char* d : dirs) {
    if (!fs::exists(kSource / d)) continue;
    for (const auto& e : fs::recursive_directory_iterator(kSource / d)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Replays each file through `target`; a Go fuzz corpus file is replayed as its payload. The
// entry points abort on a broken invariant, so reaching the end is the test.
std::size_t replay(const std::vector<fs::path>& files, const std::function<int(std::string_view)>& target) {
  std::size_t n = 0;
  for (const auto& f : files) {
    std::string bytes = read_file(f);
    if (auto payload = fuzz::decode_go_fuzz_file(bytes)) bytes = std::move(*payload);
    INFO(f.lexically_relative(kSource).string());
    CHECK(target(bytes) == 0);
    n++;
  }
  return n;
}

}  // namespace

TEST_CASE("fuzz regressions and seeds: old-format decoder") {
  (void)replay(files_in({"tests/fuzz/regressions/old_format"}), fuzz::old_format);
  CHECK(replay(files_in({"corpus/go1.19", "corpus/go1.21", "corpus/go-testdata/v1"}), fuzz::old_format) > 0);
}

TEST_CASE("fuzz regressions and seeds: Go 1.22+ decoder") {
  (void)replay(files_in({"tests/fuzz/regressions/generational"}), fuzz::generational);
  CHECK(replay(files_in({"corpus/go-testdata/fuzz/FuzzReader", "corpus/go1.22", "corpus/go1.23", "corpus/go1.24",
                         "corpus/go1.25", "corpus/go1.26", "tests/golden/v2/go-testdata"}),
               fuzz::generational) > 0);
}

TEST_CASE("fuzz regressions and seeds: text-to-binary converter") {
  (void)replay(files_in({"tests/fuzz/regressions/text"}), fuzz::text);
  CHECK(replay(files_in({"corpus/go-testdata/tests"}), fuzz::text) > 0);
}

TEST_CASE("fuzz regressions and seeds: full pipeline") {
  // Every target's findings: whatever broke one stage must not break the whole pipeline.
  (void)replay(files_in({"tests/fuzz/regressions"}), fuzz::pipeline);
  CHECK(replay(files_in({"corpus/go-testdata/fuzz/FuzzReader", "corpus/go-testdata/v1", "corpus/go1.19",
                         "corpus/go1.21", "corpus/go1.22", "corpus/go1.26"}),
               fuzz::pipeline) > 0);
}
