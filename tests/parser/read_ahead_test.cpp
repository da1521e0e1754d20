// read_ahead() (--threads 2) delivers what the reader alone does: the same events with the same
// strings and stacks, warnings and errors, even when its thread has run generations ahead of the
// consumer (the tables of earlier generations must stay pinned; ASan checks the rest). So does a
// reader whose input alone is read ahead (read_input_ahead), which read_ahead() also turns on.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <memory>

#include "gtanalyze/reader.hpp"
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

namespace {

// A reader of `generations` one-event generations, each with tables of its own, that counts how
// many of those tables are alive at once.
class TinyGenerations final : public TraceReader {
 public:
  explicit TinyGenerations(std::size_t generations, std::size_t& most_alive)
      : left_(generations), most_alive_(most_alive) {}
  Version version() const override { return Version::Go1_26; }
  Result<bool> next(Event& out) override {
    std::vector<Event> storage;
    auto batch = next_batch(storage);
    if (!batch || batch->events.empty()) return false;
    out = batch->events.front();
    return true;
  }
  Result<EventBatch> next_batch(std::vector<Event>& storage) override {
    std::erase_if(alive_, [](const std::weak_ptr<const void>& t) { return t.expired(); });
    most_alive_ = std::max(most_alive_, alive_.size());
    if (left_ == 0) return EventBatch{};
    left_--;
    auto tables = std::make_shared<const int>(0);
    alive_.push_back(tables);
    storage.assign(1, Event{});
    return EventBatch{storage, tables};
  }
  const std::vector<std::string>& warnings() const override { return warnings_; }
  ReaderStats stats() const override { return {}; }

 private:
  std::size_t left_;
  std::size_t& most_alive_;
  std::vector<std::weak_ptr<const void>> alive_;
  std::vector<std::string> warnings_;
};

}  // namespace

TEST_CASE("read_ahead: tiny generations do not pile up in a chunk") {
  // A chunk was filled to 65536 events whatever their generations, pinning each one's tables: a
  // trace of tiny generations held thousands of them (654 MB for 100,000 in 7 MB of trace).
  std::size_t most_alive = 0;
  auto reader = read_ahead(std::make_unique<TinyGenerations>(5000, most_alive));
  Event e;
  std::size_t events = 0;
  while (*reader->next(e)) events++;
  CHECK(events == 5000);
  CHECK(most_alive <= 8);  // three chunks of at most two generations, and the one being read
}
