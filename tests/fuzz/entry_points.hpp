// The fuzzing entry points, shared by the libFuzzer targets (fuzz_*.cpp, built with clang) and the
// Catch2 replay and sweep tests (built with every compiler and preset), so a crasher found by a
// fuzzer is replayed through exactly the code that found it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gtanalyze/error.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::fuzz {

// How a decode ended: every event read (possibly with warnings), or a clean Error.
struct Outcome {
  bool ok = true;
  Error error;
  std::uint64_t events = 0;
  std::size_t warnings = 0;
};

// The trace a fuzz input stands for: the input itself when it starts with "go 1." (so corpus
// traces are seeds as they are), otherwise the header of versions[input[0] % size] followed by
// the rest of the input — a mutated body keeps a valid header and reaches the decoder proper.
std::string with_header(std::string_view input, std::span<const Version> versions);

// What a decode feeds the events to, besides reading them.
enum class Consumers : std::uint8_t {
  None,
  Analysis,         // the CLI's pipeline: Summarizer, then to_json of the summary; the state intervals
  AnalysisAndDump,  // also the canonical one-line dump of every event (`dump --parsed`)
};

// Decodes `trace` with TraceReader to the end; `read_ahead` runs the reader on a second thread,
// as the CLI does with --threads 2.
Outcome decode(std::string_view trace, Consumers consumers, bool read_ahead = false);

// Aborts (a fuzzer finding) unless the outcome is clean: an Error has a message and an offset
// inside the input. `size` is the size of the decoded trace.
void check(const Outcome& outcome, std::size_t size);

// `gtanalyze perfetto` of a trace (both passes, output discarded), for traces read to their end:
// the timeline must draw whatever the reader accepts without throwing (a time going back is a
// logic_error there).
void draw_timeline(std::string_view trace);

// The four targets. Each returns 0 (libFuzzer's convention) and aborts on a broken invariant.
int old_format(std::string_view input);    // Go 1.5–1.21 decoder (and the Go 1.19-dialect dump)
int generational(std::string_view input);  // Go 1.22+ decoder
int text(std::string_view input);          // text trace / .test archive → binary → decoder,
                                           // then the timeline of what decodes
int pipeline(std::string_view input);      // any version: decoder → Summarizer → JSON, odd-sized
                                           // inputs with the reader on a second thread; then
                                           // the timeline of what decodes

}  // namespace gtanalyze::fuzz
