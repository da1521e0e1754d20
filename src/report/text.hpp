// The summary a person reads: a plain-text rendering of a Summary.
#pragma once

#include <cstdint>
#include <string>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

// Facts about the input that the Summary does not hold.
struct TraceInfo {
  std::string name;
  std::string compression;  // "none", "gzip", "zstd"
  std::uint64_t bytes = 0;
  std::uint64_t generations = 0;
};

struct TextOptions {
  std::size_t top = 15;  // groups listed before the rest is folded into one line
  bool color = false;    // ANSI colours (the CLI decides: --color=auto|always|never)
};

// Human units: "950ns", "12.3µs", "4.56ms", "1.23s".
std::string human_duration(Duration ns);

std::string to_text(const Summary& summary, const TraceInfo& info, const TextOptions& options = {});

}  // namespace gtanalyze::report
