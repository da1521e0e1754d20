// Helpers shared by the parser tests.
#include "parser/support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "parser/dump.hpp"
#include "parser/text_trace.hpp"

namespace gtanalyze::test {

std::string source_dir() {
  const char* env = std::getenv("GTANALYZE_SOURCE_DIR");
  return env != nullptr ? env : GTANALYZE_SOURCE_DIR;
}

std::vector<std::string> list_files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string p = entry.path().string();
    if (p.size() >= suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_all(const std::string& path) {
  auto src = ByteSource::open(path);
  if (!src) return {};
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = (*src)->read(buf, sizeof buf);
    if (!n || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

void for_each_go_test_trace(const TraceVisitor& visit) {
  const auto tests = list_files(source_dir() + "/corpus/go-testdata/tests", ".test");
  REQUIRE(tests.size() >= 22);
  for (const std::string& path : tests) {
    auto test = parser::parse_trace_test(read_all(path));
    REQUIRE(test.has_value());
    auto bytes = parser::text_trace_to_binary(test->trace_text);
    REQUIRE(bytes.has_value());
    const std::string name = std::filesystem::path(path).stem().string();
    visit(name, *bytes);
    visit(name + " cut", bytes->substr(0, bytes->size() * 3 / 4));
  }
}

void for_each_corpus_trace(const TraceVisitor& visit) {
  for (const char* dir : {"corpus/go1.19", "corpus/go1.21", "corpus/go1.22", "corpus/go1.25", "corpus/go1.26"}) {
    for (const std::string& path : list_files(source_dir() + "/" + dir, ".trace")) {
      const std::string bytes = read_all(path);
      visit(path, bytes);
      visit(path + " cut", bytes.substr(0, bytes.size() / 2));
    }
  }
}

namespace {

// Passes a reader through, noting when it has returned its last event.
class SpyReader final : public TraceReader {
 public:
  SpyReader(std::unique_ptr<TraceReader> inner, std::atomic<bool>& done) : inner_(std::move(inner)), done_(done) {}
  Version version() const override { return inner_->version(); }
  Result<bool> next(Event& out) override {
    auto r = inner_->next(out);
    if (!r || !*r) done_ = true;
    return r;
  }
  const std::vector<std::string>& warnings() const override { return inner_->warnings(); }
  ReaderStats stats() const override { return inner_->stats(); }
  std::shared_ptr<const void> pin_tables() const override { return inner_->pin_tables(); }
  void read_input_ahead() override { inner_->read_input_ahead(); }

 private:
  std::unique_ptr<TraceReader> inner_;
  std::atomic<bool>& done_;
};

}  // namespace

DecodeResult decode(const std::string& bytes, bool with_dump, Threads threads, Consume consume) {
  // Sync events print wall-clock times in the local zone: the goldens were made in UTC.
  setenv("TZ", "UTC", 1);
  tzset();
  DecodeResult res;
  auto src = ByteSource::from_memory(bytes, "test");
  auto reader = TraceReader::open(*src);
  if (!reader) {
    res.ok = false;
    res.error = reader.error();
    return res;
  }
  std::atomic<bool> reader_done{false};
  if (threads == Threads::ReadAheadLate) {
    *reader = read_ahead(std::make_unique<SpyReader>(std::move(*reader), reader_done));
    // A trace bigger than the chunks never gets there: the reader waits for us. Give up after 1 s.
    for (int i = 0; i < 1000 && !reader_done; i++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (threads == Threads::ReadAheadSmallChunks) *reader = read_ahead(std::move(*reader), 7);
  if (threads == Threads::InputAhead) (*reader)->read_input_ahead();
  const auto deliver = [&](const Event& ev) {
    res.events++;
    if (with_dump) parser::append_event(res.dump, ev);
  };
  const auto failed = [&](const Error& e) {
    res.ok = false;
    res.error = e;
  };
  Event ev;
  if (consume == Consume::Next || consume == Consume::NextThenBatches) {
    do {
      auto r = (*reader)->next(ev);
      if (!r) {
        failed(r.error());
        break;
      }
      if (!*r) break;
      deliver(ev);
    } while (consume == Consume::Next);
  }
  if (consume == Consume::Batches || (consume == Consume::NextThenBatches && res.ok)) {
    for (;;) {
      auto batch = (*reader)->next_batch();
      if (!batch) {
        failed(batch.error());
        break;
      }
      if (batch->events.empty()) break;
      for (const Event& e : batch->events) deliver(e);
    }
  }
  if (consume == Consume::KeptBatches) {
    std::deque<std::vector<Event>> storage;
    std::vector<EventBatch> batches;
    for (;;) {
      auto batch = (*reader)->next_batch(storage.emplace_back());
      if (!batch) {
        failed(batch.error());
        break;
      }
      if (batch->events.empty()) break;
      batches.push_back(std::move(*batch));
    }
    for (const EventBatch& batch : batches) {
      for (const Event& e : batch.events) deliver(e);
    }
  }
  res.warnings = (*reader)->warnings();
  return res;
}

}  // namespace gtanalyze::test
