// The TraceReader for old formats: load and order the whole trace, check it once, then convert
// it lazily, framed by Sync events as Go's reader frames its single old-format generation.
#include "parser/v1/v1_reader.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "parser/v1/convert.hpp"
#include "parser/v1/parser.hpp"

namespace gtanalyze::parser {

namespace {

using v1::OldEvent;
using v1::OldTrace;
using v1::OldType;

class V1Reader final : public TraceReader {
 public:
  V1Reader(Version version, std::unique_ptr<OldTrace> trace, std::vector<bool> blocked, std::uint64_t bytes,
           std::vector<std::string> warnings)
      : version_(version),
        trace_(std::move(trace)),
        conv_(*trace_, std::move(blocked)),
        bytes_(bytes),
        warnings_(std::move(warnings)) {}

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
        out = sync_event(static_cast<Time>(static_cast<std::uint64_t>(conv_.last_time()) + 1));
        return true;
      }
      case Stage::Done:
        return false;
    }
    return false;
  }

  const std::vector<std::string>& warnings() const override { return warnings_; }

  ReaderStats stats() const override {
    ReaderStats s;
    s.events = events_ + syncs_;
    s.generations = 1;
    s.bytes = bytes_;
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

Result<std::string> read_all(ByteSource& source) {
  std::string data;
  // Start small and double: a first 1 MiB chunk zero-filled 3 MiB for every trace, however small,
  // which cost 60% of the time of a fuzz run (tests/fuzz) on kilobyte-sized inputs.
  std::size_t chunk = 64 << 10;
  for (;;) {
    std::size_t old = data.size();
    data.resize(old + chunk);
    auto n = source.read(data.data() + old, chunk);
    if (!n) return n.error();
    data.resize(old + *n);
    if (*n == 0) break;
    if (chunk < (std::size_t{64} << 20)) chunk *= 2;
  }
  data.shrink_to_fit();
  return data;
}

// A first pass over the final order: Go's consistency checks (so every error surfaces before
// the first event, as with Go), and, for each GoSysCall, whether the goroutine's next event
// is GoSysBlock — the converter needs that look-ahead.
Result<std::vector<bool>> check_and_find_blocking_syscalls(const OldTrace& trace,
                                                           std::vector<std::string>& warnings) {
  std::vector<bool> blocked(trace.event_count(), false);
  std::unordered_map<std::uint64_t, std::uint64_t> pending;  // goroutine → its GoSysCall
  OldTrace::Replay replay(trace);
  OldEvent ev;
  for (std::uint64_t i = 0;; i++) {
    auto r = replay.next(ev);
    if (!r) return r.error();
    if (!*r) break;
    if (auto it = pending.find(ev.g); it != pending.end()) {
      if (ev.type == OldType::GoSysBlock) blocked[it->second] = true;
      pending.erase(it);
    }
    if (ev.type == OldType::GoSysCall) pending[ev.g] = i;
  }
  if (replay.missing_stacks() > 0) {
    // The stack table is written last: stacks that never came mean the tail was cut off.
    warnings.push_back(fmt::format(
        "{} events refer to stacks the trace does not contain (first at byte offset {}): the trace was "
        "probably cut off before its stack table was complete; those events have no stack",
        replay.missing_stacks(), replay.first_missing_stack_offset()));
  }
  return blocked;
}

}  // namespace

Result<std::unique_ptr<TraceReader>> make_v1_reader(ByteSource& source, Version version) {
  if (is_generational(version)) {
    return make_error(ErrorCode::UnsupportedVersion, source.offset(),
                      fmt::format("go {} trace is not an old-format trace", version_name(version)));
  }
  auto data = read_all(source);
  if (!data) return std::move(data).error();
  std::uint64_t bytes = data->size();
  auto trace = std::make_unique<OldTrace>(std::move(*data), static_cast<unsigned>(version), v1::Dialect::Go126);
  GTA_TRY(trace->load());
  std::vector<std::string> warnings = trace->warnings();
  auto blocked = check_and_find_blocking_syscalls(*trace, warnings);
  if (!blocked) return std::move(blocked).error();
  return std::unique_ptr<TraceReader>(
      std::make_unique<V1Reader>(version, std::move(trace), std::move(*blocked), bytes, std::move(warnings)));
}

}  // namespace gtanalyze::parser
