// Records → events: a per-goroutine state machine over the ordered ring-buffer records.
#include "collector/capture_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <optional>
#include <unordered_map>

#include "analysis/same_run.hpp"
#include "collector/wait_reasons.hpp"
#include "parser/event_extras.hpp"

namespace gtanalyze::collector {

// Strings and one-frame stacks the converter makes up.
class CaptureTables final : public EventTables {
 public:
  CaptureTables() {
    strings_.emplace_back();
    stacks_.emplace_back();
  }
  std::string_view string(std::uint64_t id) const override {
    return id < strings_.size() ? std::string_view(strings_[id]) : std::string_view{};
  }
  Stack stack(std::uint64_t id) const override { return id < stacks_.size() ? Stack(stacks_[id]) : Stack{}; }
  std::string_view extra_string(std::uint64_t) const override { return {}; }

  std::uint64_t intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = string_ids_.find(std::string(s));
    if (it != string_ids_.end()) return it->second;
    strings_.emplace_back(s);
    string_ids_.emplace(std::string(s), strings_.size() - 1);
    return strings_.size() - 1;
  }
  // A one-frame stack for a symbol (id 0 when unknown).
  std::uint64_t frame_stack(const CaptureSymbol* sym, std::uint64_t pc) {
    if (!sym) return 0;
    auto it = stack_ids_.find(pc);
    if (it != stack_ids_.end()) return it->second;
    StackFrame f;
    f.pc = pc;
    f.func = string(intern(sym->function));
    f.file = string(intern(sym->file));
    f.line = sym->line;
    stacks_.push_back({f});
    stack_ids_.emplace(pc, stacks_.size() - 1);
    return stacks_.size() - 1;
  }

 private:
  std::deque<std::string> strings_;  // deque: string_views into it stay valid
  std::unordered_map<std::string, std::uint64_t> string_ids_;
  std::deque<std::vector<StackFrame>> stacks_;
  std::unordered_map<std::uint64_t, std::uint64_t> stack_ids_;
};

namespace {

// Go's g statuses; kLeaked is Go 1.26's _Gleaked (GOEXPERIMENT=goroutineleakprofile).
enum GStatus : std::uint8_t {
  kIdle = 0,
  kRunnable = 1,
  kRunning = 2,
  kSyscall = 3,
  kWaiting = 4,
  kDead = 6,
  kLeaked = 10
};

GoState public_state(std::uint32_t s) {
  switch (s) {
    case kRunnable: return GoState::Runnable;
    case kRunning: return GoState::Running;
    case kSyscall: return GoState::Syscall;
    case kWaiting: return GoState::Waiting;
    default: return GoState::NotExist;
  }
}

Version trace_version(unsigned minor) {
  if (auto v = version_from_minor(minor)) return *v;
  if (minor == 20) return Version::Go1_19;
  if (minor == 24) return Version::Go1_23;
  return minor > 26 ? Version::Go1_26 : Version::Go1_19;
}

}  // namespace

std::string_view capture_start_function(const Capture& c, std::uint64_t startpc) {
  for (const auto& s : c.trailer.symbols) {
    if (s.pc == startpc) return s.function;
  }
  return {};
}

CaptureReader::CaptureReader() : tables_(std::make_unique<CaptureTables>()) {}
CaptureReader::~CaptureReader() = default;

Result<std::unique_ptr<CaptureReader>> CaptureReader::open(ByteSource& source) {
  std::string bytes;
  char buf[1 << 16];
  std::optional<Error> cut;  // a compressed capture cut short: read like a plain one cut short
  for (;;) {
    auto n = source.read(buf, sizeof buf);
    if (!n && n.error().code == ErrorCode::Truncated) {
      cut = n.error();
      break;
    }
    if (!n) return n.error();
    if (*n == 0) break;
    bytes.append(buf, *n);
  }
  auto c = parse_capture(bytes);
  if (!c) return c.error();
  auto r = from_capture(std::move(*c));
  if (!r) return r;
  (*r)->bytes_ = bytes.size();
  if (cut) {
    auto& warnings = (*r)->warnings_;
    warnings.insert(warnings.begin(), fmt::format("capture cut short at offset {}: {}", cut->offset, cut->message));
  }
  return r;
}

Result<std::unique_ptr<CaptureReader>> CaptureReader::from_capture(Capture capture) {
  std::unique_ptr<CaptureReader> r(new CaptureReader());
  r->capture_ = std::move(capture);
  if (!runtime_tables(r->capture_.header.go_minor)) {
    return make_error(ErrorCode::UnsupportedVersion, 0,
                      "capture: no wait-reason table for " + r->capture_.header.go_version);
  }
  if (auto converted = r->convert(); !converted) return std::move(converted).error();
  return r;
}

Version CaptureReader::version() const { return trace_version(capture_.header.go_minor); }

ReaderStats CaptureReader::stats() const {
  ReaderStats s;
  s.events = next_;
  s.generations = 1;
  s.bytes = bytes_;
  return s;
}

Result<bool> CaptureReader::next(Event& out) {
  if (next_ >= events_.size()) return false;
  out = events_[next_++];
  return true;
}

namespace {

// How far a record's time may fall behind the one before it: the ring buffer orders records by
// reservation and each reads the clock just after, so two CPUs' records may be microseconds out
// of order; and probes attached for --pid fire before the header's start time is read.
constexpr std::uint64_t kMaxTimeSlip = 100'000'000;  // 100 ms

// Pass 0: record times never go back, or events would have negative durations: a slip is raised
// to the time before it (and counted); a time far behind, or past the capture's end, is damage.
Status order_times(Capture& c, std::vector<std::string>& warnings) {
  std::uint64_t last = c.header.start_mono, raised = 0, max_slip = 0;
  for (std::size_t i = 0; i < c.records.size(); i++) {
    std::uint64_t& ts = c.records[i].ts;
    const std::uint64_t offset = c.records_offset + i * sizeof(gtc_record);
    if (ts > static_cast<std::uint64_t>(std::numeric_limits<Time>::max())) {
      return make_error(ErrorCode::Corrupt, offset, fmt::format("capture: record {} has time {} ns, past 2^63", i, ts));
    }
    if (c.complete && ts > c.trailer.end_mono) {
      return make_error(
          ErrorCode::Corrupt, offset,
          fmt::format("capture: record {} has time {} ns, after the capture's end ({} ns)", i, ts, c.trailer.end_mono));
    }
    if (ts >= last) {
      last = ts;
      continue;
    }
    if (last - ts > kMaxTimeSlip) {
      return make_error(
          ErrorCode::Corrupt, offset,
          fmt::format("capture: record {} has time {} ns, {:.3f} s before {} (time goes back)", i, ts,
                      static_cast<double>(last - ts) / 1e9, i == 0 ? "the capture's start" : "the record before it"));
    }
    max_slip = std::max(max_slip, last - ts);
    raised++;
    ts = last;
  }
  if (raised != 0) {
    warnings.push_back(fmt::format(
        "{} record(s) carry a time before the record before them (by at most {:.1f} µs: CPUs race to the ring buffer; "
        "probes attached to a running process fire before the capture's start is read): raised to keep time in order",
        raised, static_cast<double>(max_slip) / 1e3));
  }
  return {};
}

// Pass 1a: a Running→Waiting whose next change is Waiting→Running is a wait on the system stack
// (stopTheWorld, GC assists…), not a park: park_m's goroutines always leave Waiting through
// ready() (→Runnable). Go ≤ 1.22 leaves g.waitreason stale there, so the reason alone cannot tell.
std::vector<bool> find_system_waits(const std::vector<gtc_record>& records) {
  std::vector<bool> system_wait(records.size());
  std::unordered_map<std::uint64_t, std::size_t> last_wait;  // gp → its open Running→Waiting
  for (std::size_t i = 0; i < records.size(); i++) {
    const gtc_record& r = records[i];
    if (auto it = last_wait.find(r.gp); it != last_wait.end()) {
      if (r.kind == GTC_CAS && r.old_status == kWaiting && r.new_status == kRunning) system_wait[it->second] = true;
      last_wait.erase(it);
    }
    if (r.kind == GTC_CAS && r.old_status == kRunning && r.new_status == kWaiting) last_wait[r.gp] = i;
  }
  return system_wait;
}

// Pass 1b: each record's goid. Before Go 1.24 a creation's goid is the one its g carries in its
// next record; -1 when there is none.
std::vector<std::int64_t> resolve_goids(const Capture& c, std::vector<std::string>& warnings,
                                        std::vector<Time>& unnamed) {
  const bool late_goid = c.header.go_minor < 24;
  std::vector<std::int64_t> goid(c.records.size());
  std::unordered_map<std::uint64_t, std::size_t> pending;  // gp → creation record index
  for (std::size_t i = 0; i < c.records.size(); i++) {
    const gtc_record& r = c.records[i];
    goid[i] = r.goid;
    if (!late_goid) continue;
    if (auto it = pending.find(r.gp); it != pending.end()) {
      goid[it->second] = r.goid;
      pending.erase(it);
    }
    if (r.kind == GTC_CAS && r.old_status == kDead) {
      pending[r.gp] = i;
      goid[i] = -1;
    }
  }
  for (const auto& [gp, i] : pending) unnamed.push_back(static_cast<Time>(c.records[i].ts));
  std::sort(unnamed.begin(), unnamed.end());
  if (!pending.empty()) {
    warnings.push_back(
        fmt::format("{} goroutine(s) created but never seen again: goid unknown (Go < 1.24 assigns it after creation)",
                    pending.size()));
  }
  return goid;
}

// Pass 2: the per-goroutine state machine, one record at a time, appending events.
class RecordConverter {
 public:
  RecordConverter(const Capture& c, CaptureTables& tables, std::vector<Event>& events)
      : c_(c), rt_(*runtime_tables(c.header.go_minor)), tables_(tables), events_(events) {
    for (const auto& s : c.trailer.symbols) symbols_.emplace(s.pc, &s);
    // Tracers before Go 1.22 record preemptPark as a plain GoBlock, with no reason.
    preempted_ = rt_.old_tracer ? 0 : tables_.intern("preempted");
  }

  // The Sync event and the statuses of the goroutines alive when the probes attached.
  void describe_start() {
    const Time t0 = static_cast<Time>(c_.header.start_mono);
    emit(EventType::Sync, t0, kNoGoroutine, 0, {1, 0, 0, 0});
    for (const auto& g : c_.trailer.initial) {
      const GoState s = public_state(g.status);
      if (s != GoState::NotExist)
        status_event(t0, g.goid, s, 0, tables_.frame_stack(start_symbol(g.startpc), g.startpc));
    }
  }

  // `id`: the record's goid from resolve_goids(); `system_wait`: from find_system_waits().
  void convert(const gtc_record& r, GoId id, bool system_wait) {
    if (r.kind == GTC_EXEC) {  // no goroutine's: the capture's last record
      exec_time_ = r.ts;
      return;
    }
    if (id < 0) {
      ignored_++;
      return;
    }
    auto it = state_.find(id);
    Step s{r, id, static_cast<Time>(r.ts), it == state_.end() ? GoState::Undetermined : it->second};
    switch (r.kind) {
      case GTC_CAS: convert_status_change(s, system_wait); break;
      case GTC_SYS_ENTER:
      case GTC_SYS_BLOCK: transition(s, GoState::Running, EventType::GoSyscallBegin, id, {}, GoState::Syscall); break;
      case GTC_SYS_EXIT: transition(s, GoState::Syscall, EventType::GoSyscallEnd, id, {}, GoState::Running); break;
      case GTC_PREEMPT_PARK:
        transition(s, GoState::Running, EventType::GoBlock, id, {preempted_, 0, 0, 0}, GoState::Waiting);
        break;
      default: ignored_++;
    }
  }

  std::uint64_t ignored() const { return ignored_; }
  std::uint64_t unnamed() const { return unnamed_; }
  std::optional<std::uint64_t> exec_time() const { return exec_time_; }
  const std::vector<GoId>& leaked() const { return leaked_; }

 private:
  // The record being converted and its goroutine's state before it.
  struct Step {
    const gtc_record& r;
    GoId id;
    Time t;
    GoState cur;
  };

  const CaptureSymbol* symbol(std::uint64_t pc) const {
    auto it = symbols_.find(pc);
    return it == symbols_.end() ? nullptr : it->second;
  }

  // A goroutine's start function, counted when the capture has no name for it.
  const CaptureSymbol* start_symbol(std::uint64_t pc) {
    const CaptureSymbol* s = symbol(pc);
    if (!s) unnamed_++;
    return s;
  }

  void emit(EventType type, Time t, GoId g, std::uint32_t tid, std::array<std::uint64_t, 4> args) {
    Event e;
    e.type = type;
    e.time = t;
    e.g = g;
    e.m = tid;
    e.p = kNoProc;
    e.args = args;
    e.tables = &tables_;
    events_.push_back(e);
  }

  // stack: a one-frame stack of the start function when known (the root frame a GoStatusStack
  // would end with), so goroutines found at attach time get their names.
  void status_event(Time t, GoId id, GoState to, std::uint32_t tid, std::uint64_t stack = 0) {
    parser::EventArgs args{static_cast<std::uint64_t>(id), tid, 0, stack};
    parser::set_go_status(args, GoState::Undetermined, parser::wire_status_of(to));
    emit(stack ? EventType::GoStatusStack : EventType::GoStatus, t, kNoGoroutine, tid, args);
    state_[id] = to;
  }

  // A goroutine met mid-life (it existed before the probes) is taken to have been in `from`.
  void ensure(Step& s, GoState from) {
    if (s.cur == GoState::Undetermined) {
      status_event(s.t, s.id, from, s.r.tid);
    } else if (s.cur == GoState::NotExist) {
      state_[s.id] = from;  // a dead goroutine seen again: trust the runtime
    } else {
      return;
    }
    s.cur = from;
  }

  // The common transition: when the goroutine is (or is taken to be) in `from`, emit the event
  // and move it to `to`.
  void transition(Step& s, GoState from, EventType type, GoId g, std::array<std::uint64_t, 4> args, GoState to) {
    ensure(s, from);
    if (s.cur != from) return;
    emit(type, s.t, g, s.r.tid, args);
    state_[s.id] = to;
  }

  // A runtime casgstatus(from, to) record.
  void convert_status_change(Step& s, bool system_wait) {
    const unsigned from = s.r.old_status, to = s.r.new_status;
    const auto goid = static_cast<std::uint64_t>(s.id);
    const GoId by = s.r.cur_goid >= 0 ? s.r.cur_goid : kNoGoroutine;
    if (from == kDead && (to == kRunnable || to == kWaiting)) {
      create(s, to);
    } else if (from == kDead && to == kSyscall) {
      emit(EventType::GoCreateSyscall, s.t, kNoGoroutine, s.r.tid, {goid, 0, 0, 0});
      state_[s.id] = GoState::Syscall;
    } else if (from == kSyscall && to == kDead) {
      transition(s, GoState::Syscall, EventType::GoDestroySyscall, s.id, {}, GoState::NotExist);
    } else if (from == kRunnable && to == kRunning) {
      transition(s, GoState::Runnable, EventType::GoStart, kNoGoroutine, {goid, 0, 0, 0}, GoState::Running);
    } else if (from == kRunning && to == kWaiting) {
      block(s, system_wait);
    } else if (from == kWaiting && to == kRunning) {
      transient_[s.id] = false;  // the end of a transient wait: nothing happened for the tracer
    } else if (from == kWaiting && to == kRunnable) {
      if (transient_[s.id]) {  // should not happen; keep the state machine sane
        transient_[s.id] = false;
        ignored_++;
        return;
      }
      transition(s, GoState::Waiting, EventType::GoUnblock, by, {goid, 0, 0, 0}, GoState::Runnable);
    } else if (from == kRunning && to == kRunnable) {
      transition(s, GoState::Running, EventType::GoStop, s.id, {}, GoState::Runnable);
    } else if (from == kRunning && to == kSyscall) {
      transition(s, GoState::Running, EventType::GoSyscallBegin, s.id, {}, GoState::Syscall);
    } else if (from == kSyscall && (to == kRunning || to == kRunnable)) {
      const EventType end = to == kRunning ? EventType::GoSyscallEnd : EventType::GoSyscallEndBlocked;
      transition(s, GoState::Syscall, end, s.id, {}, public_state(to));
    } else if (from == kRunning && to == kDead) {
      transition(s, GoState::Running, EventType::GoDestroy, s.id, {}, GoState::NotExist);
    } else if (from == kWaiting && to == kLeaked) {
      // The GC proved it leaked; for the tracer it stays waiting.
      leaked_.push_back(s.id);
    } else {
      ignored_++;
    }
  }

  // Dead → Runnable or Waiting: args[0] and args[1] are the start and creation PCs.
  void create(Step& s, unsigned to) {
    const std::uint64_t start_stack = tables_.frame_stack(start_symbol(s.r.args[0]), s.r.args[0]);
    const std::uint64_t create_stack = tables_.frame_stack(symbol(s.r.args[1]), s.r.args[1]);
    emit(to == kRunnable ? EventType::GoCreate : EventType::GoCreateBlocked, s.t,
         s.r.cur_goid >= 0 ? s.r.cur_goid : kNoGoroutine, s.r.tid,
         {static_cast<std::uint64_t>(s.id), start_stack, create_stack, 0});
    state_[s.id] = public_state(to);
    transient_[s.id] = false;
  }

  // Running → Waiting: a park (GoBlock with the block reason), or a transient wait on the system
  // stack the tracer never sees.
  void block(Step& s, bool system_wait) {
    ensure(s, GoState::Running);
    const bool is_transient =
        system_wait || (s.r.wait_reason < rt_.wait_reasons.size() && rt_.wait_reasons[s.r.wait_reason].transient);
    if (s.cur != GoState::Running) return;
    if (is_transient) {
      transient_[s.id] = true;
      return;
    }
    const auto br = s.r.args[0];
    std::string_view reason =
        br < rt_.block_reasons.size() && rt_.block_reasons[br].valid ? rt_.block_reasons[br].text : std::string_view{};
    emit(EventType::GoBlock, s.t, s.id, s.r.tid, {tables_.intern(reason), 0, 0, 0});
    state_[s.id] = GoState::Waiting;
  }

  const Capture& c_;
  const RuntimeTables& rt_;
  CaptureTables& tables_;
  std::vector<Event>& events_;
  std::unordered_map<std::uint64_t, const CaptureSymbol*> symbols_;  // by PC
  std::unordered_map<std::int64_t, GoState> state_;
  std::unordered_map<std::int64_t, bool> transient_;  // Running on the system stack, status Waiting
  std::uint64_t preempted_ = 0;                       // string id of the reason "preempted"
  std::uint64_t ignored_ = 0;
  std::uint64_t unnamed_ = 0;               // goroutines whose start pc has no symbol
  std::optional<std::uint64_t> exec_time_;  // when the target exec'd (GTC_EXEC)
  std::vector<GoId> leaked_;                // in record order; a goroutine again at each leak-detecting GC
};

}  // namespace

Status CaptureReader::convert() {
  Capture& c = capture_;
  if (c.cut_trailer) {
    warnings_.push_back(fmt::format(
        "the capture's trailer (at offset {}) is cut short: read the records before it, as a capture without one",
        *c.cut_trailer));
  } else if (!c.complete) {
    warnings_.push_back("capture has no trailer (the collector did not finish); read records up to the end");
  }
  if (c.cut_record_bytes != 0) {
    warnings_.push_back(fmt::format("the last record is cut short ({} of its {} bytes): left out", c.cut_record_bytes,
                                    sizeof(gtc_record)));
  }
  if (c.trailer.drops() != 0)
    warnings_.push_back(fmt::format("the ring buffer dropped {} records: the story is incomplete", c.trailer.drops()));

  if (auto ordered = order_times(c, warnings_); !ordered) return ordered;
  // Pass 1 looks ahead per g; pass 2 converts.
  const std::vector<bool> system_wait = find_system_waits(c.records);
  const std::vector<std::int64_t> goid = resolve_goids(c, warnings_, unnamed_creations_);
  RecordConverter records(c, *tables_, events_);
  records.describe_start();
  for (std::size_t i = 0; i < c.records.size(); i++) records.convert(c.records[i], goid[i], system_wait[i]);
  leaked_ = records.leaked();
  std::sort(leaked_.begin(), leaked_.end());
  leaked_.erase(std::unique(leaked_.begin(), leaked_.end()), leaked_.end());
  if (auto t = records.exec_time()) {
    warnings_.push_back(fmt::format(
        "the target exec'd a new program {:.3f} ms into the capture, which ends there: what the new program did is "
        "not in it",
        static_cast<double>(*t - c.header.start_mono) / 1e6));
  }
  if (records.unnamed()) {
    warnings_.push_back(
        fmt::format("{} goroutine(s) have a start pc the capture has no symbol for: their functions read (unknown)",
                    records.unnamed()));
  }
  if (records.ignored()) {
    warnings_.push_back(
        fmt::format("{} record(s) did not map to a goroutine transition and were skipped", records.ignored()));
  }
  return {};
}

Result<CaptureLeaks> leaked_goroutines(ByteSource& source) {
  auto reader = CaptureReader::open(source);
  if (!reader) return std::move(reader).error();
  const CaptureReader& r = **reader;
  const auto [first, last] = analysis::time_span(r.events());
  return CaptureLeaks{r.leaked(), r.capture().header.go_minor, r.version(), first, last};
}

}  // namespace gtanalyze::collector
