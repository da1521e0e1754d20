// read_ahead(): a reader on a thread of its own, handing its events to the caller's thread in
// chunks, so that decoding one part of a trace overlaps with analysing the part before it.
//
// Why chunks: a hand-over per event would cost more than decoding it. A few fixed chunks,
// recycled, bound the memory and allocate nothing per event. Each chunk pins the string and stack
// tables its events point into, since the reader moves on to later generations meanwhile.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "gtanalyze/reader.hpp"

namespace gtanalyze {
namespace {

constexpr std::size_t kChunkEvents = 4096;  // at most ~330 KB of events per hand-over
constexpr std::size_t kChunks = 4;
constexpr std::size_t kPrefetchAhead = 16;

struct Chunk {
  std::vector<Event> events;  // grows to kChunkEvents only as a trace needs: small ones stay small
  std::vector<std::shared_ptr<const void>> pins;  // tables of the events, alive until recycled
  std::optional<Error> error;                     // after the events: the reader failed
  bool end = false;                               // after the events: the trace ended
  ReaderStats stats;                              // the reader's, after these events
};

class ReadAheadReader final : public TraceReader {
 public:
  explicit ReadAheadReader(std::unique_ptr<TraceReader> inner)
      : inner_(std::move(inner)), version_(inner_->version()), chunks_(kChunks) {
    for (Chunk& c : chunks_) free_.push_back(&c);
    worker_ = std::thread([this] { produce(); });
  }

  ~ReadAheadReader() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
  }

  Version version() const override { return version_; }

  Result<bool> next(Event& out) override {
    auto more = has_events();
    if (!more || !*more) return more;
    // The events were written on the other core: fetch ahead so their transfer overlaps.
    if (position_ + kPrefetchAhead < current_->events.size()) __builtin_prefetch(&current_->events[position_ + kPrefetchAhead]);
    out = current_->events[position_++];
    events_++;
    return true;
  }

  // The rest of the current chunk, with a handle on its pins (the chunk is recycled meanwhile).
  Result<EventBatch> next_batch() override {
    auto more = has_events();
    if (!more) return std::move(more).error();
    if (!*more) return EventBatch{};
    EventBatch batch{std::span<const Event>(current_->events).subspan(position_),
                     std::make_shared<const std::vector<std::shared_ptr<const void>>>(current_->pins)};
    position_ = current_->events.size();
    events_ += batch.events.size();
    return batch;
  }

  // Complete once next() has reported the end or an error: until then the worker still adds.
  const std::vector<std::string>& warnings() const override { return finished_ ? warnings_ : no_warnings_; }

  ReaderStats stats() const override {
    ReaderStats s = current_ != nullptr ? current_->stats : ReaderStats{};
    s.events = events_;
    return s;
  }

 private:
  // Caller's thread: true once the current chunk has an event left; false at the end.
  Result<bool> has_events() {
    while (current_ == nullptr || position_ == current_->events.size()) {
      if (current_ != nullptr) {
        if (current_->error) return *current_->error;
        if (current_->end) return false;
      }
      take_filled();
    }
    return true;
  }

  // Caller's thread: give back the chunk read and wait for the next filled one.
  void take_filled() {
    std::unique_lock lock(mutex_);
    if (current_ != nullptr) {
      free_.push_back(current_);
      changed_.notify_all();
    }
    changed_.wait(lock, [this] { return !filled_.empty(); });
    current_ = filled_.front();
    filled_.pop_front();
    position_ = 0;
    finished_ = current_->error || current_->end;
  }

  // Worker thread: fill free chunks until the trace ends, fails, or the reader is destroyed.
  void produce() {
    std::shared_ptr<const void> pin;  // the tables of the last batch read
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        c = free_.front();
        free_.pop_front();
      }
      c->events.clear();
      c->pins.clear();
      if (pin) c->pins.push_back(pin);
      fill(*c, pin);
      const bool last = c->error || c->end;
      c->stats = inner_->stats();
      if (last) warnings_ = inner_->warnings();  // read by the caller only after it takes `c`
      {
        std::lock_guard lock(mutex_);
        filled_.push_back(c);
      }
      changed_.notify_all();
      if (last) return;
    }
  }

  // Copies the reader's batches into `c` until it is full or the trace ends, pinning their tables.
  void fill(Chunk& c, std::shared_ptr<const void>& pin) {
    try {
      while (c.events.size() < kChunkEvents) {
        auto batch = inner_->next_batch();
        if (!batch) {
          c.error = std::move(batch).error();
          return;
        }
        if (batch->events.empty()) {
          c.end = true;
          return;
        }
        c.events.insert(c.events.end(), batch->events.begin(), batch->events.end());
        if (batch->tables != pin) {
          pin = std::move(batch->tables);
          if (pin) c.pins.push_back(pin);
        }
      }
    } catch (const std::exception& ex) {
      // Out of memory, most likely: end the stream with it rather than lose the thread.
      c.error = make_error(ErrorCode::Limit, inner_->stats().bytes, std::string("reader failed: ") + ex.what());
    }
  }

  std::unique_ptr<TraceReader> inner_;  // used by the worker only, until it has finished
  const Version version_;
  std::vector<Chunk> chunks_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk*> free_, filled_;  // guarded by mutex_
  bool stop_ = false;                 // guarded by mutex_

  // The caller's side.
  Chunk* current_ = nullptr;
  std::size_t position_ = 0;
  std::uint64_t events_ = 0;
  bool finished_ = false;
  std::vector<std::string> warnings_;
  const std::vector<std::string> no_warnings_;

  std::thread worker_;
};

}  // namespace

std::unique_ptr<TraceReader> read_ahead(std::unique_ptr<TraceReader> reader) {
  return std::make_unique<ReadAheadReader>(std::move(reader));
}

}  // namespace gtanalyze
