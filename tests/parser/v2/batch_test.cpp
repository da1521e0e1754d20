// next_batch() and next_batch(storage) deliver what next() does, from every reader: the Go 1.22+
// one (its own batches, its buffer handed over), the old-format one (batches made of next()
// calls) and read_ahead(). Kept batches are dumped only after the whole trace has been read, so
// their storage and pinned tables must still hold (ASan checks the rest).
#include <catch2/catch_test_macros.hpp>

#include "parser/support.hpp"

using namespace gtanalyze;
using namespace gtanalyze::test;

namespace {

void check_batches(const std::string& name, const std::string& bytes) {
  const DecodeResult one_by_one = decode(bytes);
  const auto same = [&](const DecodeResult& r) {
    CHECK(r.events == one_by_one.events);
    CHECK(r.dump == one_by_one.dump);
    CHECK(r.ok == one_by_one.ok);
    CHECK(r.error.describe() == one_by_one.error.describe());
    CHECK(r.warnings == one_by_one.warnings);
  };
  for (Consume consume : {Consume::Batches, Consume::NextThenBatches, Consume::KeptBatches}) {
    INFO(name << " (" << bytes.size() << " bytes), consumed as " << static_cast<int>(consume));
    same(decode(bytes, true, Threads::One, consume));
  }
  INFO(name << " (" << bytes.size() << " bytes), kept batches through read_ahead");
  same(decode(bytes, true, Threads::ReadAheadLate, Consume::KeptBatches));
}

}  // namespace

TEST_CASE("batches: Go's multi-generation test cases, whole and cut short") { for_each_go_test_trace(check_batches); }

TEST_CASE("batches: our corpus traces of every format, whole and cut short") { for_each_corpus_trace(check_batches); }
