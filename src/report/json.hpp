// The versioned JSON export (schema "gtanalyze/v1", docs/json-schema.md) of a Summary, and its
// loader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "analysis/summarizer.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::report {

inline constexpr const char* kJsonSchema = "gtanalyze/v1";

// The whole document, pretty-printed with sorted keys and a final newline.
std::string to_json(const Summary& summary);
// The same text written to `file` in pieces of about `piece_bytes`, never held whole (it is
// hundreds of MB for a big trace). False when a write failed.
bool write_json(const Summary& summary, std::FILE* file, std::size_t piece_bytes = 1 << 16);

class JsonWriter;

// The same text written while the summary is made: the goroutines as the Summarizer hands them
// over (never all held), the rest by finish() with the finished summary.
class JsonStream : public analysis::GoroutineSink {
 public:
  // `open_file` gives the file to write to when the first of it is written (after the trace has
  // been read whole): nullptr if it cannot be opened.
  explicit JsonStream(std::function<std::FILE*()> open_file, std::size_t piece_bytes = 1 << 16);
  ~JsonStream() override;
  void begin(const Summary& head) override;
  void goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) override;
  // The rest of the document. False when the file could not be opened or a write failed.
  bool finish(const Summary& summary);
  // Why a write failed (errno), 0 if none did.
  [[nodiscard]] int write_error() const;

 private:
  std::function<std::FILE*()> open_file_;
  std::size_t piece_bytes_;
  std::string buffer_;
  std::unique_ptr<JsonWriter> writer_;  // once the file is open
};

// Loads an export back into a Summary whose to_json is the same document (up to fields a later
// version may add, which are ignored). The export holds times relative to the first event: the
// Summary places that event at time 1; what the export does not hold (GOMAXPROCS, each goroutine's
// stacks) is left at its default. Errors name the field and what was wrong with it.
Result<Summary> from_json(std::string_view text);

}  // namespace gtanalyze::report
