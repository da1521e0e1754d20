// read_ahead() (--threads 2) delivers what the reader alone does: the same events with the same
// strings and stacks, warnings and errors, even when its thread has run generations ahead of the
// consumer (the tables of earlier generations must stay pinned; ASan checks the rest). So does a
// reader whose input alone is read ahead (read_input_ahead), which read_ahead() also turns on.
#include <catch2/catch_test_macros.hpp>

#include "parser/support.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

namespace {

void check_same(const std::string& name, const std::string& bytes) {
  INFO(name << " (" << bytes.size() << " bytes)");
  const DecodeResult alone = decode(bytes);
  for (const Threads threads : {Threads::ReadAheadLate, Threads::ReadAheadSmallChunks, Threads::InputAhead}) {
    const DecodeResult ahead = decode(bytes, true, threads);
    CHECK(ahead.events == alone.events);
    CHECK(ahead.dump == alone.dump);
    CHECK(ahead.ok == alone.ok);
    CHECK(ahead.error.describe() == alone.error.describe());
    CHECK(ahead.warnings == alone.warnings);
  }
}

}  // namespace

TEST_CASE("read_ahead: Go's multi-generation test cases, whole and cut short") { for_each_go_test_trace(check_same); }

TEST_CASE("read_ahead: our corpus traces of every format") { for_each_corpus_trace(check_same); }
