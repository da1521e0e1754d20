// Helpers shared by the parser tests (tests/parser and its v1/, v2/): paths, whole-file reads and
// decoding a trace to a dump.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gtanalyze/error.hpp"

namespace gtanalyze::test {

// The repository root (from GTANALYZE_SOURCE_DIR).
std::string source_dir();
// Files in a directory whose names end with `suffix`, sorted.
std::vector<std::string> list_files(const std::string& dir, const std::string& suffix);
// The whole file, transparently decompressed (through ByteSource).
std::string read_all(const std::string& path);

struct DecodeResult {
  std::string dump;  // Go's -d=parsed text of every event delivered
  bool ok = true;    // false when next() returned an error
  Error error;
  std::vector<std::string> warnings;
  std::uint64_t events = 0;
};
enum class Threads {
  One,
  // Through read_ahead(), consuming only once the reader thread has read the whole trace (or
  // filled every chunk): every generation's tables but the pinned ones are gone by then.
  ReadAheadLate,
  // Through read_ahead() with chunks of a few events, consumed as they come: a small trace
  // crosses many hand-overs, and the chunks are recycled.
  ReadAheadSmallChunks,
  // Only the input read ahead (read_input_ahead: Go 1.22+ generations on a thread of their own),
  // the events decoded on the caller's thread.
  InputAhead,
};
using TraceVisitor = std::function<void(const std::string& name, const std::string& bytes)>;
// Go's multi-generation test cases as binary traces, each whole and cut in its last generation
// (a warning after whole generations, or an error).
void for_each_go_test_trace(const TraceVisitor& visit);
// Our corpus traces of every format (Go 1.19, 1.21, 1.22, 1.25, 1.26), each whole and cut in half.
void for_each_corpus_trace(const TraceVisitor& visit);

// How the events are taken from the reader.
enum class Consume {
  Next,             // next(), one at a time
  Batches,          // next_batch()
  NextThenBatches,  // one next(), then next_batch(): the reader must not lose or repeat events
  KeptBatches,      // next_batch(storage), every batch and its pin kept and dumped only at the end
};
// Decodes a whole trace held in memory with TraceReader.
DecodeResult decode(const std::string& bytes, bool with_dump = true, Threads threads = Threads::One,
                    Consume consume = Consume::Next);

}  // namespace gtanalyze::test
