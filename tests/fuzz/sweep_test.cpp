// Damage sweeps through the whole pipeline (decoder → Summarizer → event dump → JSON): every
// truncation offset of small traces of each format family, and single-byte corruptions at every
// offset. Each damaged trace must end in a result (with warnings, possibly) or a clean Error with
// an offset inside the input; a crash, a hang or a sanitizer report fails the (ASan) build's run.
#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/entry_points.hpp"

using namespace gtanalyze;

namespace {

std::string read_trace(const char* rel) {
  std::ifstream in(std::string(GTANALYZE_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Tally {
  std::size_t ok = 0, warned = 0, failed = 0;
};

// Decodes one damaged trace and checks that it ended cleanly.
void run(const std::string& trace, Tally& tally, fuzz::Consumers consumers) {
  const fuzz::Outcome o = fuzz::decode(trace, consumers);
  if (o.ok) {
    (o.warnings > 0 ? tally.warned : tally.ok)++;
    return;
  }
  tally.failed++;
  INFO(o.error.describe());
  CHECK_FALSE(o.error.message.empty());
  CHECK(o.error.offset <= trace.size());
}

// Every truncation of `name` through the whole pipeline.
void truncation_sweep(const char* name) {
  const std::string full = read_trace(name);
  REQUIRE(full.size() > 16);
  REQUIRE(fuzz::decode(full, fuzz::Consumers::AnalysisAndDump).ok);
  Tally t;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t cut = 0; cut < full.size(); cut++) run(full.substr(0, cut), t, fuzz::Consumers::AnalysisAndDump);
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(name << ": " << full.size() << " truncations: " << t.ok << " clean, " << t.warned << " with warnings, "
            << t.failed << " errors (" << secs << " s)");
  CHECK(t.warned + t.failed > 0);
}

// Single-byte corruptions of `name`: xor 0xff (every bit) at every offset; xor 0x01 (a value's
// low bit), xor 0x80 (a varint's continuation bit) and zero (ids, sizes, counts) each at every
// `stride`-th offset, staggered so that together they cover every offset too. Through the decoder
// and the analysis; the event dump is left to the truncation sweeps (it would double the time).
void flip_sweep(const char* name, std::size_t stride) {
  struct Pattern {
    const char* name;
    unsigned char (*apply)(unsigned char);
    std::size_t stride, first;
  };
  const Pattern patterns[] = {
      {"xor 0xff", [](unsigned char b) { return static_cast<unsigned char>(b ^ 0xff); }, 1, 0},
      {"xor 0x01", [](unsigned char b) { return static_cast<unsigned char>(b ^ 0x01); }, stride, 0},
      {"xor 0x80", [](unsigned char b) { return static_cast<unsigned char>(b ^ 0x80); }, stride, stride / 3},
      {"zero", [](unsigned char) { return static_cast<unsigned char>(0); }, stride, 2 * stride / 3},
  };
  const std::string full = read_trace(name);
  REQUIRE(full.size() > 16);
  for (const Pattern& p : patterns) {
    Tally t;
    const auto start = std::chrono::steady_clock::now();
    std::string damaged = full;
    for (std::size_t at = p.first; at < full.size(); at += p.stride) {
      damaged[at] = static_cast<char>(p.apply(static_cast<unsigned char>(full[at])));
      run(damaged, t, fuzz::Consumers::Analysis);
      damaged[at] = full[at];
    }
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN(name << " " << p.name << " every " << p.stride << ": " << t.ok << " clean, " << t.warned << " with warnings, "
              << t.failed << " errors (" << secs << " s)");
  }
}

}  // namespace

TEST_CASE("sweep: every truncation of Go 1.22+ traces ends in a result or a clean error") {
  for (const char* name : {"corpus/go1.26/leaky.trace", "corpus/go1.25/leaky.trace", "corpus/go1.22/timers.trace"}) {
    truncation_sweep(name);
  }
}

TEST_CASE("sweep: every truncation of old-format traces ends in a result or a clean error") {
  for (const char* name : {"corpus/go-testdata/v1/http_1_9_good", "corpus/go-testdata/v1/user_task_region_1_21_good",
                           "corpus/go-testdata/v1/user_task_region_1_11_good"}) {
    truncation_sweep(name);
  }
}

TEST_CASE("sweep: a corrupted byte in a Go 1.26 trace ends in a result or a clean error") {
  flip_sweep("corpus/go1.26/leaky.trace", 3);
}

TEST_CASE("sweep: a corrupted byte in a Go 1.23 trace ends in a result or a clean error") {
  flip_sweep("corpus/go1.23/leaky.trace", 3);
}

TEST_CASE("sweep: a corrupted byte in old-format traces ends in a result or a clean error") {
  flip_sweep("corpus/go-testdata/v1/user_task_region_1_21_good", 1);
  flip_sweep("corpus/go-testdata/v1/http_1_7_good", 1);
}
