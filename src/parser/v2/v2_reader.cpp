// The generational reader: per-M batch cursors in a min-heap by next timestamp, each head offered
// to the ordering; when the earliest cannot advance, the others are tried in time order. The heap
// operations are Go's own so that ties between threads resolve exactly as in Go's reader.
#include "parser/v2/v2_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "base/go_sort.hpp"
#include "parser/spec.hpp"
#include "parser/v2/batch_cursor.hpp"
#include "parser/v2/event_feed.hpp"
#include "parser/v2/generation.hpp"
#include "parser/v2/ordering.hpp"

namespace gtanalyze::parser::v2 {
namespace {

class V2Reader final : public TraceReader {
 public:
  V2Reader(ByteSource& source, Version version) : version_(version), feed_(source, version) {}

  Version version() const override { return version_; }
  const std::vector<std::string>& warnings() const override { return warnings_; }
  ReaderStats stats() const override {
    ReaderStats s = stats_;
    s.bytes = feed_.offset();
    return s;
  }
  std::shared_ptr<const void> pin_tables() const override { return feed_.generation().tables; }
  void read_input_ahead() override { feed_.read_ahead(); }

  Result<bool> next(Event& out) override {
    if (pos_ == order_.events().size() && !fill()) return end_of_events();
    out = order_.events()[pos_++];
    return true;
  }

  Result<EventBatch> next_batch() override {
    if (pos_ == order_.events().size() && !fill()) {
      auto end = end_of_events();
      if (!end) return std::move(end).error();
      return EventBatch{};
    }
    EventBatch batch{order_.events().subspan(pos_), feed_.generation().tables};
    pos_ = order_.events().size();
    return batch;
  }

  // The ordering's buffer itself goes to the caller, unless next() has taken part of it.
  Result<EventBatch> next_batch(std::vector<Event>& storage) override {
    if (pos_ != 0) return TraceReader::next_batch(storage);
    if (order_.events().empty() && !fill()) {
      auto end = end_of_events();
      if (!end) return std::move(end).error();
      return EventBatch{};
    }
    const std::size_t n = order_.take_events(storage);
    return EventBatch{std::span<const Event>(storage.data(), n), feed_.generation().tables};
  }

 private:
  // Events are made in batches of about this many: large enough that the per-batch work
  // vanishes, small enough (20 KB) that the checks after the ordering and the consumer read
  // them back from the L1 cache (512 was 40 KB: a cache miss per event under callgrind).
  static constexpr std::size_t kBatchEvents = 256;

  // The pending error after the last event, or false: the end of the trace.
  Result<bool> end_of_events() const {
    if (has_pending_error_) return pending_error_;
    return false;
  }

  // Makes the next batch of events (in the ordering's buffer, from pos_ = 0); false when there
  // are none. A batch never spans two generations: one pin keeps all of it valid.
  bool fill() {
    order_.clear();
    pos_ = 0;
    while (!has_pending_error_ && order_.events().size() < kBatchEvents) {
      const bool generation_done = frontier_.empty() && cpu_next_ == cpu_end_;
      if (generation_done && !order_.events().empty()) break;
      auto r = produce();
      if (!r) {
        end_with(std::move(r).error());
        break;
      }
      if (!*r) break;
    }
    const std::span<Event> batch = order_.events();
    for (std::size_t i = 0; i < batch.size(); i++) {
      Event& e = batch[i];
      if (!table_ids_valid(e)) {
        // Delivered as Go does: the events before it, then this error.
        order_.truncate(i);
        set_pending(cut_hinted(table_id_error(e)));
        break;
      }
      // Times only move forward: a time not after the previous event's becomes previous + 1.
      if (e.time <= last_ts_) e.time = wrapping_add(last_ts_, 1);
      last_ts_ = e.time;
    }
    stats_.events += order_.events().size();
    return !order_.events().empty();
  }

  // The events so far are all there is: an error follows them, or, where the program misused
  // runtime/trace (a region ended out of turn: Go's reader stops there too, and `go tool trace`
  // analyses what came before), a warning and the end of the trace.
  void end_with(Error e) {
    if (e.code == ErrorCode::Misuse) {
      warnings_.push_back(
          fmt::format("the trace is read up to offset {} (generation {}), where the program misused "
                      "runtime/trace, as go tool trace reads it: {}",
                      e.offset, e.generation, e.message));
      stats_.ended_at_misuse = true;
      done_ = true;
      return;
    }
    set_pending(std::move(e));
  }

  void set_pending(Error e) {
    has_pending_error_ = true;
    pending_error_ = std::move(e);
  }

  // An error a cut causes (a table id the generation lacks, events whose partners are missing), in a
  // generation the file ends in: it says that the trace is likely cut short, since Go 1.22-1.25 mark
  // no generation's end.
  Error cut_hinted(Error e) const {
    const GenerationInfo& g = feed_.generation();
    return g.unmarked_end && e.generation == g.number ? with_cut_hint(std::move(e)) : e;
  }

  // Appends the next event or events in reader order to the ordering's buffer (Go's ReadEvent
  // body); false at the end of the trace.
  // Kept: callgrind go1.26-100M dump --decode-only +11.2% Ir without always_inline (2026-12-05).
  [[gnu::always_inline]] Result<bool> produce() {
    if (done_) return false;
    const GenerationInfo& gen = feed_.generation();
    if (frontier_.empty() && cpu_next_ == cpu_end_) return next_generation();

    if (cpu_next_ != cpu_end_ && (frontier_.empty() || gen.cpu_samples[cpu_next_].time < frontier_[0].time)) {
      const CpuSample& s = gen.cpu_samples[cpu_next_++];
      Event e;
      e.type = EventType::CPUSample;
      e.time = s.time;
      e.g = s.g;
      e.p = s.p;
      e.m = s.m;
      e.args[0] = s.stack;
      e.tables = gen.tables.get();
      order_.emit(e);
      return true;
    }
    auto ok = try_advance(0);
    if (!ok) return ok.error();
    if (!*ok) {
      // Rare: the earliest head must wait. Sorting keeps the heap valid; try the rest in time
      // order, equal times in Go's order (it decides which M goes first). Go's sort moves nothing
      // in a frontier still in order since the last one (tests/base/go_sort_test.cpp): skipped,
      // an M that waits long for another among thousands no longer costs a sort per event.
      if (!frontier_sorted_) {
        base::go_sort(frontier_.begin(), frontier_.end(),
                      [](const FrontierEntry& a, const FrontierEntry& b) { return a.time < b.time; });
        frontier_sorted_ = true;
      }
      bool success = false;
      for (std::size_t i = 1; i < frontier_.size(); i++) {
        ok = try_advance(i);
        if (!ok) return ok.error();
        if (*ok) {
          success = true;
          break;
        }
      }
      if (!success) return cut_hinted(stuck_error());
    }
    return true;
  }

  // Kept: callgrind go1.26-100M dump --decode-only +12.4% Ir without always_inline (2026-12-05).
  [[gnu::always_inline]] Result<bool> try_advance(std::size_t i) {
    BatchCursor* c = frontier_[i].cursor;
    const GenerationInfo& gen = feed_.generation();
    switch (order_.advance(*c->pos, gen.tables.get(), c->m, gen.number, c->state)) {
      case Ordering::Step::Done: break;
      case Ordering::Step::NotYet: return false;
      case Ordering::Step::Failed: return in_generation(order_.error());
    }
    switch (c->next(feed_)) {
      case BatchCursor::Read::Event:
        heap_update(frontier_, i);
        // Still in order when the cursor stayed in place between neighbours in order.
        if (frontier_sorted_) frontier_sorted_ = frontier_[i].cursor == c && in_order_at(i);
        break;
      case BatchCursor::Read::End:
        heap_remove(frontier_, i);
        frontier_sorted_ = false;
        break;
      case BatchCursor::Read::Failed: return in_generation(feed_.error(c->stream));
    }
    return true;
  }

  [[nodiscard]] bool in_order_at(std::size_t i) const {
    return (i == 0 || frontier_[i - 1].time <= frontier_[i].time) &&
           (i + 1 == frontier_.size() || frontier_[i].time <= frontier_[i + 1].time);
  }

  Error in_generation(Error e) const {
    e.generation = feed_.generation().number;
    return e;
  }

  // One line (Go's message lists the frontier a line each): the first few Ms' next events.
  Error stuck_error() const {
    constexpr std::size_t kShown = 4;
    std::string msg = "broken trace: failed to advance: no M's next event can happen:";
    std::uint64_t offset = feed_.offset();
    for (std::size_t n = 0; n < frontier_.size(); n++) {
      const BatchCursor* c = frontier_[n].cursor;
      const RawEvent& ev = *c->pos;
      offset = std::min(offset, ev.offset);
      if (n >= kShown) continue;
      const EventSpec& spec = spec_of(ev.type);
      msg += fmt::format("{} M {} [{} time={}", n == 0 ? "" : ";", c->m, spec.name, ev.time);
      for (std::size_t i = 1; i < spec.args.size(); i++) msg += fmt::format(" {}={}", spec.args[i], ev.args[i - 1]);
      msg += "]";
    }
    if (frontier_.size() > kShown) msg += fmt::format("; and {} more M(s)", frontier_.size() - kShown);
    Error e = make_error(ErrorCode::Corrupt, offset, std::move(msg));
    e.generation = feed_.generation().number;
    return e;
  }

  Event sync_event(const EventTables* tables, Time t) {
    Event e;
    e.type = EventType::Sync;
    e.time = t;
    e.args[0] = ++syncs_;
    e.tables = tables;
    return e;
  }

  // Moves to the next generation and emits its Sync event; false after the last one.
  Result<bool> next_generation() {
    if (end_after_sync_) {
      done_ = true;
      return false;
    }
    if (has_gen_) completed_++;
    auto r = feed_.next_generation();
    // A new generation, or none: restart the CPU samples with it. (Found by tests/fuzz: a trace
    // ending after a generation with CPU samples kept the old cpu_next_ past the emptied list and
    // advanced an empty frontier.)
    cpu_next_ = 0;
    cpu_end_ = feed_.generation().cpu_samples.size();
    if (!r) {
      Error e = std::move(r).error();
      if (e.code == ErrorCode::Truncated && completed_ >= 1) {
        // A trace cut short after at least one whole generation: keep what was complete.
        warnings_.push_back(
            fmt::format("trace cut short at offset {} in generation {}: {}", e.offset, e.generation, e.message));
        has_gen_ = false;
        end_after_sync_ = true;
        order_.emit(sync_event(nullptr, last_ts_));
        return true;
      }
      // As Go: report the Sync that closes what was read, then the error.
      if (e.code == ErrorCode::Truncated)
        e.message += " (the trace is cut short inside its first generation: no part of it is whole)";
      has_gen_ = false;
      has_pending_error_ = true;
      pending_error_ = std::move(e);
      order_.emit(sync_event(nullptr, last_ts_));
      return true;
    }
    if (!*r) {
      // Go reads such a trace as one Sync event, silently: say why it holds nothing.
      if (stats_.generations == 0)
        warnings_.push_back(
            "the trace is its header alone: nothing was written after it (the program stopped, or the file was "
            "copied, before the tracer's first flush)");
      has_gen_ = false;
      end_after_sync_ = true;
      order_.emit(sync_event(nullptr, last_ts_));
      return true;
    }
    const GenerationInfo& gen = feed_.generation();
    has_gen_ = true;
    stats_.generations++;
    stats_.experimental_batches += gen.experimental_batches;
    frontier_.clear();
    frontier_sorted_ = false;
    cursors_.assign(gen.ms.size(), BatchCursor{});  // no reallocation below: frontier points into it
    for (std::size_t i = 0; i < gen.ms.size(); i++) {
      BatchCursor& c = cursors_[i];
      c.m = gen.ms[i];
      c.stream = static_cast<std::uint32_t>(i);
      const auto read = c.refill(feed_);
      if (read == BatchCursor::Read::Failed) return in_generation(feed_.error(i));
      if (read == BatchCursor::Read::Event) heap_insert(frontier_, &c);
    }
    order_.emit(sync_event(gen.tables.get(), gen.start));
    return true;
  }

  // Whether the event's string and stack ids name entries of its generation's tables. Run for
  // every event: the spec row's ids say which arguments to check.
  bool table_ids_valid(const Event& e) const {
    const IdArgs& args = spec_of(e.type).ids;
    if (args.stacks == 0 && args.strings == 0) return true;
    const auto* t = static_cast<const GenerationTables*>(e.tables);
    for (std::uint8_t k = 0; k < args.stacks; k++) {
      if (!t->has_stack(e.args[args.stack[k]])) return false;
    }
    for (std::uint8_t k = 0; k < args.strings; k++) {
      if (!t->has_string(e.args[args.string[k]])) return false;
    }
    return true;
  }

  // The error for the first id table_ids_valid() rejects, at the event's offset where the
  // generation still has it (else at the generation's end).
  Error table_id_error(const Event& e) const {
    const EventSpec& spec = spec_of(e.type);
    const auto* t = static_cast<const GenerationTables*>(e.tables);
    const auto bad = [&](std::uint8_t i, std::string_view what) {
      const std::uint64_t id = e.args[i - 1];
      const std::uint64_t offset = feed_.find_event(e.type, e.time, i - 1, id).value_or(feed_.offset());
      return in_generation(make_error(ErrorCode::Corrupt, offset,
                                      fmt::format("found invalid {} ID {} for event {}", what, id, spec.name)));
    };
    for (std::uint8_t i : spec.stack_args) {
      if (!t->has_stack(e.args[i - 1])) return bad(i, "stack");
    }
    for (std::uint8_t i : spec.string_args) {
      if (!t->has_string(e.args[i - 1])) return bad(i, "string");
    }
    return make_error(ErrorCode::Corrupt, feed_.offset(), "internal error: no invalid table id");
  }

  Version version_;
  EventFeed feed_;
  Ordering order_;
  bool has_gen_ = false;
  std::uint64_t completed_ = 0;  // generations whose events were all delivered
  std::vector<BatchCursor> cursors_;
  Frontier frontier_;
  bool frontier_sorted_ = false;            // in time order since the last sort (see produce)
  std::size_t cpu_next_ = 0, cpu_end_ = 0;  // the next CPU sample of the generation, and their count
  Time last_ts_ = 0;
  std::uint64_t syncs_ = 0;
  bool done_ = false;
  bool end_after_sync_ = false;
  bool has_pending_error_ = false;
  Error pending_error_;
  std::vector<std::string> warnings_;
  ReaderStats stats_;
  std::size_t pos_ = 0;  // the next event of the current batch that next() hands out
};

}  // namespace

std::unique_ptr<TraceReader> make_v2_reader(ByteSource& source, Version version) {
  return std::make_unique<V2Reader>(source, version);
}

}  // namespace gtanalyze::parser::v2
