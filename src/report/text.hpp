// The summary a person reads: a plain-text rendering of a Summary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/summarizer.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

// Facts about the input that the Summary does not hold.
struct TraceInfo {
  std::string name;
  std::string compression;  // "none", "gzip", "zstd"
  std::uint64_t bytes = 0;
  std::uint64_t generations = 0;
  bool capture = false;  // a capture of `gtanalyze collect`, not a trace
};

struct TextOptions {
  std::size_t top = 15;  // groups listed before the rest is folded into one line
  bool color = false;    // ANSI colours (the CLI decides: --color=auto|always|never)
};

// Human units: "950ns", "12.3µs", "4.56ms", "1.23s".
std::string human_duration(Duration ns);

// A name from the trace, printable (base/printable.hpp) and shortened from the left to at most
// `width` bytes, keeping the most specific end of a function name: "…rver.(*conn).serve".
std::string fit(const std::string& name, std::size_t width);

// What the text report takes from the goroutines, gathered one at a time: as a GoroutineSink it
// takes them while the Summarizer drains them, so that they are never all held at once.
struct GoroutineDigest : analysis::GoroutineSink {
  static constexpr std::size_t kTopGoroutines = 5, kSlowest = 3;
  struct Top {
    Duration measure = 0;
    GoId id = 0;
    std::string name;
    Duration total = 0;
  };
  // A complete task or region and its duration, for the slowest lists.
  struct Slow {
    Duration duration = 0;
    std::string what;
  };

  void begin(const Summary& /*head*/) override {}
  void goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) override;

  std::uint64_t created = 0, ended = 0, regions = 0;
  std::vector<Top> by_exec, by_block;  // the most first (ties by id), only those above 0
  std::vector<Slow> slowest_regions;   // the longest first (ties by text), named ones only
};

// The summary whose goroutines are in it, or the one whose goroutines went to `goroutines`.
std::string to_text(const Summary& summary, const TraceInfo& info, const TextOptions& options = {});
std::string to_text(const Summary& summary, const GoroutineDigest& goroutines, const TraceInfo& info,
                    const TextOptions& options = {});

}  // namespace gtanalyze::report
