// The TraceReader for old formats: load and order the whole trace, check it once, then convert
// it lazily, framed by Sync events as Go's reader frames its single old-format generation.
#include "parser/v1/v1_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/id_map.hpp"
#include "parser/v1/convert.hpp"
#include "parser/v1/parser.hpp"

namespace gtanalyze::parser {

namespace {

using v1::OldEvent;
using v1::OldTrace;
using v1::OldType;

class V1Reader final : public TraceReader {
 public:
  V1Reader(Version version, std::unique_ptr<OldTrace> trace, v1::CheckedOrder checked, std::uint64_t bytes,
           std::vector<std::string> warnings)
      : version_(version),
        trace_(std::move(trace)),
        conv_(*trace_, std::move(checked)),
        bytes_(bytes),
        warnings_(std::move(warnings)) {
    if (const std::uint64_t n = conv_.tables().frames_without_strings(); n > 0) {
      warnings_.push_back(
          fmt::format("{} stack frames name their function or file by a string the trace does not "
                      "contain: those names are empty (Go's reader fails on such a trace)",
                      n));
    }
  }

  Version version() const override { return version_; }

  Result<bool> next(Event& out) override {
    switch (stage_) {
      case Stage::Start: {
        stage_ = Stage::Events;
        Time first = 0;
        auto r = conv_.peek_first(first);
        if (!r) return r.error();
        if (*r) {
          out = sync_event(static_cast<Time>(static_cast<std::uint64_t>(first) - 1));  // wrapping, as Go
          return true;
        }
        [[fallthrough]];
      }
      case Stage::Events: {
        auto r = conv_.next(out);
        if (!r) return r.error();
        if (*r) {
          events_++;
          return true;
        }
        stage_ = Stage::Done;
        if (conv_.start_block_cut()) {
          warnings_.push_back(
              "the record that ends the trace's list of the goroutines that existed when it started (its first "
              "Gomaxprocs) was cut off: the list was taken to end where the events after it begin");
        }
        out = sync_event(static_cast<Time>(static_cast<std::uint64_t>(conv_.last_time()) + 1));
        return true;
      }
      case Stage::Done: return false;
    }
    return false;
  }

  const std::vector<std::string>& warnings() const override { return warnings_; }

  ReaderStats stats() const override {
    ReaderStats s;
    s.events = events_ + syncs_;
    s.generations = 1;
    s.bytes = bytes_;
    s.times_in_ticks = trace_->times_in_ticks();
    return s;
  }

 private:
  enum class Stage : std::uint8_t { Start, Events, Done };

  Event sync_event(Time t) {
    Event e;
    e.type = EventType::Sync;
    e.time = t;
    e.args[0] = ++syncs_;
    e.tables = &conv_.tables();
    return e;
  }

  Version version_;
  std::unique_ptr<OldTrace> trace_;
  v1::V1Converter conv_;
  std::uint64_t bytes_;
  std::vector<std::string> warnings_;
  Stage stage_ = Stage::Start;
  std::uint64_t events_ = 0;
  std::uint64_t syncs_ = 0;
};

// The whole input. A compressed input cut short (an error of code Truncated) ends it like a
// plain file cut short, the error kept in `cut`: the records before the cut are analysed.
Result<std::string> read_all(ByteSource& source, std::optional<Error>& cut) {
  std::string data;
  // Start small and double: a first 1 MiB chunk zero-filled 3 MiB for every trace, however small,
  // which cost 60% of the time of a fuzz run (tests/fuzz) on kilobyte-sized inputs. An
  // uncompressed file is read in one piece of its size: doubling copied a large trace twice over.
  std::size_t chunk = 64 << 10;
  if (auto size = source.raw_size(); size && source.compression() == Compression::None) {
    chunk = std::max<std::size_t>(chunk, *size + 1);
  }
  std::size_t used = 0;
  for (;;) {
    if (used == data.size()) {
      data.resize(used + chunk);
      if (chunk < (std::size_t{64} << 20)) chunk *= 2;
    }
    auto n = source.read(data.data() + used, data.size() - used);
    if (!n && n.error().code == ErrorCode::Truncated) {
      cut = std::move(n).error();
      break;
    }
    if (!n) return n.error();
    if (*n == 0) break;
    used += *n;
  }
  data.resize(used);
  if (data.capacity() - used > used / 8) data.shrink_to_fit();
  return data;
}

// A first pass over the final order: Go's consistency checks (so every error surfaces before
// the first event, as with Go), and, for each GoSysCall, whether the goroutine's next event
// is GoSysBlock — the converter needs that look-ahead — and which GoUnblocks the checks moved
// to the netpoll P (so the converter's pass need not repeat them).
Result<v1::CheckedOrder> check_order(const OldTrace& trace, std::vector<std::string>& warnings) {
  v1::CheckedOrder checked;
  auto& blocked = checked.blocked;
  blocked.assign(trace.event_count(), false);
  checked.netpoll.assign(trace.event_count(), false);
  base::IdMap<std::uint64_t> pending;  // goroutine (as int64) → its GoSysCall
  OldTrace::Replay replay(trace);
  for (std::uint64_t i = 0;; i++) {
    auto r = replay.next();
    if (!r) return r.error();
    if (*r == nullptr) break;
    const OldEvent& ev = **r;
    const auto g = static_cast<std::int64_t>(ev.g);
    if (auto* it = pending.find(g); it != nullptr) {
      if (ev.type == OldType::GoSysBlock) blocked[it->second] = true;
      pending.erase(it);
    }
    if (ev.type == OldType::GoSysCall) pending[g] = i;
    if (ev.type == OldType::GoUnblock && ev.p == v1::kNetpollP && i < checked.netpoll.size()) checked.netpoll[i] = true;
  }
  if (replay.missing_stacks() > 0) {
    // The stack table is written last: stacks that never came mean the tail was cut off.
    warnings.push_back(
        fmt::format("{} events refer to stacks the trace does not contain (first at byte offset {}): the trace was "
                    "probably cut off before its stack table was complete; those events have no stack",
                    replay.missing_stacks(), replay.first_missing_stack_offset()));
  }
  return checked;
}

}  // namespace

Result<std::unique_ptr<TraceReader>> make_v1_reader(ByteSource& source, Version version) {
  if (is_generational(version)) {
    return make_error(ErrorCode::UnsupportedVersion, source.offset(),
                      fmt::format("go {} trace is not an old-format trace", version_name(version)));
  }
  std::optional<Error> cut;
  auto data = read_all(source, cut);
  if (!data) return std::move(data).error();
  const std::uint64_t bytes = source.offset();  // the header too, as the summary of a Go 1.22+ trace counts
  auto trace = std::make_unique<OldTrace>(std::move(*data), static_cast<unsigned>(version), v1::Dialect::Go126);
  // An inconsistency in a cut trace (Go 1.5-1.6 ones have no sequence numbers to stop at) is
  // most likely the cut's: say so.
  auto cut_short = [&](Error e) {
    if (cut || trace->truncated())
      e.message += " (the trace is cut short: the events that would explain this may be in the part cut off)";
    return e;
  };
  if (auto loaded = trace->load(); !loaded) return cut_short(std::move(loaded).error());
  std::vector<std::string> warnings;
  if (cut) warnings.push_back(fmt::format("trace cut short at offset {}: {}", cut->offset, cut->message));
  warnings.insert(warnings.end(), trace->warnings().begin(), trace->warnings().end());
  auto checked = check_order(*trace, warnings);
  if (!checked) return cut_short(std::move(checked).error());
  return std::unique_ptr<TraceReader>(
      std::make_unique<V1Reader>(version, std::move(trace), std::move(*checked), bytes, std::move(warnings)));
}

}  // namespace gtanalyze::parser
