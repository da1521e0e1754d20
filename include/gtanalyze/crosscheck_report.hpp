// The result of `crosscheck TRACE CAPTURE` (src/collector/crosscheck.cpp): plain data, computed
// by the collector and rendered by src/report, like Summary. Each item compares one aspect of
// the goroutines' stories on the two sides.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gtanalyze/ids.hpp"

namespace gtanalyze {

// One difference in full, for --json: the two sequences of steps and where they part.
struct StepsDifference {
  GoId goroutine = 0;
  std::size_t first = 0;  // index of the first step that differs
  std::vector<std::string> trace, capture;
};

struct CrosscheckItem {
  std::string name;  // "goroutines", "start functions", …
  std::uint64_t compared = 0, agreed = 0;
  std::vector<std::string> differences;  // the first few, one short line each
  std::vector<StepsDifference> details;  // the same differences in full, where they are sequences
  bool ok() const { return compared == agreed; }
};

enum class Verdict : std::uint8_t { Agree, Differ, Inconclusive };

struct CrosscheckReport {
  std::vector<CrosscheckItem> items;
  std::vector<std::string> notes;              // window, clock mapping, …
  std::vector<std::string> known_differences;  // documented, not counted
  // Why the capture's story has gaps (records dropped, no trailer): then differences are shown
  // but prove nothing, and the verdict is Inconclusive. Empty for a complete capture.
  std::string capture_gap;
  // Why the capture is of another run than the trace (their clocks say so): then nothing it
  // compares speaks for one run, and the verdict is Inconclusive. Empty when it may be the same.
  std::string other_run;
  // Why the trace has nothing to compare (it holds no goroutine: its header alone, say): then the
  // verdict is Inconclusive, not a difference. Empty when it has goroutines.
  std::string empty_trace;
  // Why the trace's times cannot be laid on the capture's clock (an old-format trace that lost its
  // Frequency record counts CPU ticks): differences are shown but prove nothing, as capture_gap's.
  std::string trace_gap;

  // Every item agrees, on a trace with something to compare (a consumer gating on `agree` must not
  // pass an empty trace).
  bool agree() const {
    return empty_trace.empty() &&
           std::all_of(items.begin(), items.end(), [](const CrosscheckItem& i) { return i.ok(); });
  }
  Verdict verdict() const {
    if (!other_run.empty()) return Verdict::Inconclusive;  // even agreeing, two runs say nothing of one
    if (!empty_trace.empty()) return Verdict::Inconclusive;
    if (agree()) return Verdict::Agree;
    return capture_gap.empty() && trace_gap.empty() ? Verdict::Differ : Verdict::Inconclusive;
  }
};

}  // namespace gtanalyze
