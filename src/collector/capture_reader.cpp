// Records → events: a per-goroutine state machine over the ordered ring-buffer records.
#include "collector/capture_reader.hpp"

#include <fmt/format.h>

#include <deque>
#include <unordered_map>

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
  std::string_view string(std::uint64_t id) const override { return id < strings_.size() ? std::string_view(strings_[id]) : std::string_view{}; }
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

enum GStatus : std::uint8_t { kIdle = 0, kRunnable = 1, kRunning = 2, kSyscall = 3, kWaiting = 4, kDead = 6 };

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
  for (;;) {
    auto n = source.read(buf, sizeof buf);
    if (!n) return n.error();
    if (*n == 0) break;
    bytes.append(buf, *n);
  }
  auto c = parse_capture(bytes);
  if (!c) return c.error();
  auto r = from_capture(std::move(*c));
  if (r) (*r)->bytes_ = bytes.size();
  return r;
}

Result<std::unique_ptr<CaptureReader>> CaptureReader::from_capture(Capture capture) {
  std::unique_ptr<CaptureReader> r(new CaptureReader());
  r->capture_ = std::move(capture);
  if (!runtime_tables(r->capture_.header.go_minor)) {
    return make_error(ErrorCode::UnsupportedVersion, 0, "capture: no wait-reason table for " + r->capture_.header.go_version);
  }
  r->convert();
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

void CaptureReader::convert() {
  const Capture& c = capture_;
  const RuntimeTables& rt = *runtime_tables(c.header.go_minor);
  const bool late_goid = c.header.go_minor < 24;
  std::unordered_map<std::uint64_t, const CaptureSymbol*> symbols;
  for (const auto& s : c.trailer.symbols) symbols.emplace(s.pc, &s);
  auto symbol = [&](std::uint64_t pc) -> const CaptureSymbol* {
    auto it = symbols.find(pc);
    return it == symbols.end() ? nullptr : it->second;
  };

  if (!c.complete) warnings_.push_back("capture has no trailer (the collector did not finish); read records up to the end");
  if (c.trailer.drops() != 0) warnings_.push_back(fmt::format("the ring buffer dropped {} records: the story is incomplete", c.trailer.drops()));

  // Pass 1, looking ahead per g:
  //  * (Go < 1.24) a creation's goid is the one its g carries in its next record;
  //  * a Running→Waiting whose next change is Waiting→Running is a wait on the system stack
  //    (stopTheWorld, GC assists…), not a park: park_m's goroutines always leave Waiting through
  //    ready() (→Runnable). Go ≤ 1.22 leaves g.waitreason stale there, so the reason alone
  //    cannot tell.
  std::vector<std::int64_t> goid(c.records.size());
  std::vector<bool> system_wait(c.records.size());
  {
    std::unordered_map<std::uint64_t, std::size_t> last_wait;  // gp → its open Running→Waiting
    for (std::size_t i = 0; i < c.records.size(); i++) {
      const gtc_record& r = c.records[i];
      if (auto it = last_wait.find(r.gp); it != last_wait.end()) {
        if (r.kind == GTC_CAS && r.old_status == kWaiting && r.new_status == kRunning) system_wait[it->second] = true;
        last_wait.erase(it);
      }
      if (r.kind == GTC_CAS && r.old_status == kRunning && r.new_status == kWaiting) last_wait[r.gp] = i;
    }
  }
  {
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
    if (!pending.empty()) {
      warnings_.push_back(fmt::format("{} goroutine(s) created but never seen again: goid unknown (Go < 1.24 assigns it after creation)", pending.size()));
    }
  }

  std::unordered_map<std::int64_t, GoState> state;
  std::unordered_map<std::int64_t, bool> transient;  // Running on the system stack, status Waiting
  std::uint64_t ignored = 0;
  // Tracers before Go 1.22 record preemptPark as a plain GoBlock, with no reason.
  const std::uint64_t preempted = rt.old_tracer ? 0 : tables_->intern("preempted");

  auto emit = [&](EventType type, Time t, GoId g, std::uint32_t tid, std::array<std::uint64_t, 4> args) {
    Event e;
    e.type = type;
    e.time = t;
    e.g = g;
    e.m = tid;
    e.p = kNoProc;
    e.args = args;
    e.tables = tables_.get();
    events_.push_back(e);
  };
  // stack: a one-frame stack of the start function when known (the root frame a GoStatusStack
  // would end with), so goroutines found at attach time get their names.
  auto status_event = [&](Time t, GoId id, GoState to, std::uint32_t tid, std::uint64_t stack = 0) {
    parser::EventArgs args{static_cast<std::uint64_t>(id), tid, 0, stack};
    parser::set_go_status(args, GoState::Undetermined, parser::wire_status_of(to));
    emit(stack ? EventType::GoStatusStack : EventType::GoStatus, t, kNoGoroutine, tid, args);
    state[id] = to;
  };

  const Time t0 = static_cast<Time>(c.header.start_mono);
  emit(EventType::Sync, t0, kNoGoroutine, 0, {1, 0, 0, 0});
  for (const auto& g : c.trailer.initial) {
    const GoState s = public_state(g.status);
    if (s != GoState::NotExist) status_event(t0, g.goid, s, 0, tables_->frame_stack(symbol(g.startpc), g.startpc));
  }

  for (std::size_t i = 0; i < c.records.size(); i++) {
    const gtc_record& r = c.records[i];
    const GoId id = goid[i];
    const Time t = static_cast<Time>(r.ts);
    if (id < 0) {
      ignored++;
      continue;
    }
    auto it = state.find(id);
    GoState cur = it == state.end() ? GoState::Undetermined : it->second;
    // A goroutine met mid-life (it existed before the probes): its state before this record.
    auto ensure = [&](GoState from) {
      if (cur == GoState::Undetermined || cur == GoState::NotExist) {
        if (cur == GoState::Undetermined) status_event(t, id, from, r.tid);
        else state[id] = from;  // a dead goroutine seen again: trust the runtime
        cur = from;
      }
    };
    auto set = [&](GoState s) { state[id] = s; };

    switch (r.kind) {
      case GTC_CAS: {
        const unsigned from = r.old_status, to = r.new_status;
        if (from == kDead && (to == kRunnable || to == kWaiting)) {
          const std::uint64_t start_stack = tables_->frame_stack(symbol(r.args[0]), r.args[0]);
          const std::uint64_t create_stack = tables_->frame_stack(symbol(r.args[1]), r.args[1]);
          emit(to == kRunnable ? EventType::GoCreate : EventType::GoCreateBlocked, t, r.cur_goid >= 0 ? r.cur_goid : kNoGoroutine, r.tid,
               {static_cast<std::uint64_t>(id), start_stack, create_stack, 0});
          set(public_state(to));
          transient[id] = false;
        } else if (from == kDead && to == kSyscall) {
          emit(EventType::GoCreateSyscall, t, kNoGoroutine, r.tid, {static_cast<std::uint64_t>(id), 0, 0, 0});
          set(GoState::Syscall);
        } else if (from == kSyscall && to == kDead) {
          ensure(GoState::Syscall);
          if (cur == GoState::Syscall) {
            emit(EventType::GoDestroySyscall, t, id, r.tid, {});
            set(GoState::NotExist);
          }
        } else if (from == kRunnable && to == kRunning) {
          ensure(GoState::Runnable);
          if (cur == GoState::Runnable) {
            emit(EventType::GoStart, t, kNoGoroutine, r.tid, {static_cast<std::uint64_t>(id), 0, 0, 0});
            set(GoState::Running);
          }
        } else if (from == kRunning && to == kWaiting) {
          ensure(GoState::Running);
          const bool is_transient =
              system_wait[i] || (r.wait_reason < rt.wait_reasons.size() && rt.wait_reasons[r.wait_reason].transient);
          if (cur != GoState::Running) break;
          if (is_transient) {
            transient[id] = true;
            break;
          }
          const auto br = r.args[0];
          std::string_view reason = br < rt.block_reasons.size() && rt.block_reasons[br].valid ? rt.block_reasons[br].text : std::string_view{};
          emit(EventType::GoBlock, t, id, r.tid, {tables_->intern(reason), 0, 0, 0});
          set(GoState::Waiting);
        } else if (from == kWaiting && to == kRunning) {
          // The end of a transient wait: nothing happened for the tracer.
          transient[id] = false;
        } else if (from == kWaiting && to == kRunnable) {
          if (transient[id]) {  // should not happen; keep the state machine sane
            transient[id] = false;
            ignored++;
            break;
          }
          ensure(GoState::Waiting);
          if (cur == GoState::Waiting) {
            emit(EventType::GoUnblock, t, r.cur_goid >= 0 ? r.cur_goid : kNoGoroutine, r.tid, {static_cast<std::uint64_t>(id), 0, 0, 0});
            set(GoState::Runnable);
          }
        } else if (from == kRunning && to == kRunnable) {
          ensure(GoState::Running);
          if (cur == GoState::Running) {
            emit(EventType::GoStop, t, id, r.tid, {0, 0, 0, 0});
            set(GoState::Runnable);
          }
        } else if (from == kRunning && to == kSyscall) {
          ensure(GoState::Running);
          if (cur == GoState::Running) {
            emit(EventType::GoSyscallBegin, t, id, r.tid, {0, 0, 0, 0});
            set(GoState::Syscall);
          }
        } else if (from == kSyscall && (to == kRunning || to == kRunnable)) {
          ensure(GoState::Syscall);
          if (cur == GoState::Syscall) {
            emit(to == kRunning ? EventType::GoSyscallEnd : EventType::GoSyscallEndBlocked, t, id, r.tid, {});
            set(public_state(to));
          }
        } else if (from == kRunning && to == kDead) {
          ensure(GoState::Running);
          if (cur == GoState::Running) {
            emit(EventType::GoDestroy, t, id, r.tid, {});
            set(GoState::NotExist);
          }
        } else {
          ignored++;
        }
        break;
      }
      case GTC_SYS_ENTER:
      case GTC_SYS_BLOCK:
        ensure(GoState::Running);
        if (cur == GoState::Running) {
          emit(EventType::GoSyscallBegin, t, id, r.tid, {0, 0, 0, 0});
          set(GoState::Syscall);
        }
        break;
      case GTC_SYS_EXIT:
        ensure(GoState::Syscall);
        if (cur == GoState::Syscall) {
          emit(EventType::GoSyscallEnd, t, id, r.tid, {});
          set(GoState::Running);
        }
        break;
      case GTC_PREEMPT_PARK:
        ensure(GoState::Running);
        if (cur == GoState::Running) {
          emit(EventType::GoBlock, t, id, r.tid, {preempted, 0, 0, 0});
          set(GoState::Waiting);
        }
        break;
      default:
        ignored++;
    }
  }
  if (ignored) warnings_.push_back(fmt::format("{} record(s) did not map to a goroutine transition and were skipped", ignored));
}

}  // namespace gtanalyze::collector
