// read_ahead(): a reader on a thread of its own, handing its events to the caller's thread in
// chunks, so that decoding one part of a trace overlaps with analysing the part before it.
//
// Why chunks: a hand-over per event would cost more than decoding it. A few fixed chunks,
// recycled, bound the memory and allocate nothing per event. A chunk holds several of the
// reader's batches, each in a vector the reader filled in place (next_batch(storage): no copy on
// the decoding thread, the busier one) and each with the pin on its tables, since the reader
// moves on to later generations meanwhile.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <thread>

#include "gtanalyze/reader.hpp"

namespace gtanalyze {
namespace {

// About this many events (~5 MB) per hand-over. 4096 made the two threads trade chunks so often
// that the second thread cost more than it saved on Go 1.22+ traces (1 GB: 2x the CPU of one
// thread, 1.45x the wall time); 65536 cut that to 1.3x the CPU and 0.93x the wall time.
constexpr std::size_t kDefaultChunkEvents = 65536;
// One being filled, one being analysed, one ready between them. A fourth was no faster (1 GB Go
// 1.26 trace, 262144-event chunks, 8 runs each: the same 4.6-6.6 s wall either way) and held
// another 21 MB at the peak (321 MB instead of 301).
constexpr std::size_t kChunks = 3;
constexpr std::size_t kPrefetchAhead = 16;

// One batch of the reader: its events are the first `count` of `storage`.
struct Part {
  std::vector<Event> storage;  // recycled with its capacity
  std::size_t count = 0;
  std::shared_ptr<const void> tables;  // alive until the part is recycled
  [[nodiscard]] std::span<const Event> events() const { return {storage.data(), count}; }
};

struct Chunk {
  std::vector<Part> parts;  // the first `used` hold batches; the rest are spare storage
  std::size_t used = 0;
  std::optional<Error> error;  // after the events: the reader failed
  bool end = false;            // after the events: the trace ended
  ReaderStats stats;           // the reader's, after these events
};

class ReadAheadReader final : public TraceReader {
 public:
  ReadAheadReader(std::unique_ptr<TraceReader> inner, std::size_t chunk_events)
      : inner_(std::move(inner)), version_(inner_->version()), chunk_events_(chunk_events), chunks_(kChunks) {
    for (Chunk& c : chunks_) free_.push_back(&c);
    inner_->read_input_ahead();
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
    const std::span<const Event> events = current_->parts[part_].events();
    // The events were written on the other core: fetch ahead so their transfer overlaps.
    if (position_ + kPrefetchAhead < events.size()) __builtin_prefetch(&events[position_ + kPrefetchAhead]);
    out = events[position_++];
    events_++;
    return true;
  }

  // The rest of the current part, valid until the next call, with its pin.
  Result<EventBatch> next_batch() override {
    auto more = has_events();
    if (!more) return std::move(more).error();
    if (!*more) return EventBatch{};
    const Part& part = current_->parts[part_];
    EventBatch batch{part.events().subspan(position_), part.tables};
    position_ = part.count;
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
  // Caller's thread: true once the current part has an event left; false at the end.
  Result<bool> has_events() {
    for (;;) {
      if (current_ != nullptr) {
        while (part_ < current_->used && position_ == current_->parts[part_].count) {
          part_++;
          position_ = 0;
        }
        if (part_ < current_->used) return true;
        if (current_->error) return *current_->error;
        if (current_->end) return false;
      }
      take_filled();
    }
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
    part_ = 0;
    position_ = 0;
    finished_ = current_->error || current_->end;
  }

  // Worker thread: fill free chunks until the trace ends, fails, or the reader is destroyed.
  void produce() {
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
        if (stop_) return;
        c = free_.front();
        free_.pop_front();
      }
      fill(*c);
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

  // Has the reader fill `c` with batches until it holds chunk_events_, the trace ends, or a
  // batch of another generation has joined (a chunk pins at most two generations' tables: tiny
  // generations, thousands to a chunk, held them all).
  void fill(Chunk& c) {
    std::size_t events = 0;
    c.used = 0;
    try {
      while (events < chunk_events_) {
        if (c.used == c.parts.size()) c.parts.emplace_back();
        Part& part = c.parts[c.used];
        part.tables.reset();  // the tables of what the part held last time
        auto batch = inner_->next_batch(part.storage);
        if (!batch) {
          c.error = std::move(batch).error();
          return;
        }
        if (batch->events.empty()) {
          c.end = true;
          return;
        }
        part.count = batch->events.size();
        part.tables = std::move(batch->tables);
        events += part.count;
        c.used++;
        if (part.tables != c.parts.front().tables) return;
      }
    } catch (const std::bad_alloc&) {
      // End the stream with it rather than lose the thread.
      c.error = make_error(ErrorCode::Limit, inner_->stats().bytes, "out of memory");
    } catch (const std::exception& ex) {
      c.error = make_error(ErrorCode::Limit, inner_->stats().bytes, std::string("reader failed: ") + ex.what());
    }
  }

  std::unique_ptr<TraceReader> inner_;  // used by the worker only, until it has finished
  const Version version_;
  const std::size_t chunk_events_;
  std::vector<Chunk> chunks_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk*> free_, filled_;  // guarded by mutex_
  bool stop_ = false;                 // guarded by mutex_

  // The caller's side.
  Chunk* current_ = nullptr;
  std::size_t part_ = 0, position_ = 0;  // the next event: current_->parts[part_], at position_
  std::uint64_t events_ = 0;
  bool finished_ = false;
  std::vector<std::string> warnings_;
  const std::vector<std::string> no_warnings_;

  std::thread worker_;
};

}  // namespace

std::unique_ptr<TraceReader> read_ahead(std::unique_ptr<TraceReader> reader, std::size_t chunk_events) {
  return std::make_unique<ReadAheadReader>(std::move(reader), chunk_events == 0 ? kDefaultChunkEvents : chunk_events);
}

}  // namespace gtanalyze
