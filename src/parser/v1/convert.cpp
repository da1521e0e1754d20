// The converter from old events into the Go 1.22+ event model (Go 1.26 tracev1.go semantics;
// the header lists the non-obvious translations).
#include "parser/v1/convert.hpp"

#include <array>

#include "parser/event_extras.hpp"

namespace gtanalyze::parser::v1 {

namespace {

// The converter's own strings, in Go's order (their ids follow the trace's strings).
enum Builtin : unsigned {
  kForever, kPreempted, kGosched, kSleep, kChanSend, kChanRecv, kNetwork, kSync, kSyncCond,
  kSelect, kEmpty, kMarkAssistWait, kSTWUnknown, kBuiltinCount = kSTWUnknown + 17,
};

constexpr std::array<std::string_view, kBuiltinCount> kBuiltins = {
    "forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive", "network", "sync",
    "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
    // STW reasons, numbered as the Go 1.21 runtime's stwReason.
    "", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
    "goroutine profile cleanup", "all goroutine stack trace", "read mem stats", "AllThreadsSyscall",
    "GOMAXPROCS", "start trace", "stop trace", "CountPagesInUse (test)", "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)", "PageCachePagesLeaked (test)", "ResetDebugLog (test)"};

constexpr std::uint64_t kAll = ~std::uint64_t{0};

// A goroutine's status at the trace's start (from the state the new model calls Undetermined).
EventArgs go_status_args(std::uint64_t gid, WireGoStatus status) {
  EventArgs a{gid, kAll, 0, 0};
  set_go_status(a, GoState::Undetermined, status);
  return a;
}

// A proc's status at its first event.
EventArgs proc_status_args(std::int64_t p, WireProcStatus status) {
  EventArgs a{static_cast<std::uint64_t>(p), static_cast<std::uint64_t>(status), 0, 0};
  set_proc_status_from(a, ProcState::Undetermined);
  return a;
}

// Old STW kind → reason (Go's Trace.STWReason): before 1.21 only the two GC kinds existed.
unsigned stw_reason(unsigned minor, std::uint64_t kind) {
  if (minor < 21) return kind <= 1 ? static_cast<unsigned>(kind) + 1 : 0;
  return kind < 17 ? static_cast<unsigned>(kind) : 0;
}

}  // namespace

V1Tables::V1Tables(const OldTrace& trace) : trace_(trace) {
  for (const auto& [id, s] : trace.strings()) max_id_ = std::max(max_id_, id);
  inline_count_ = trace.inline_strings().size();
  for (std::uint32_t id : trace.stack_ids()) {
    auto first = static_cast<std::uint32_t>(frames_.size());
    const auto pcs = trace.stack_pcs(id);
    for (std::uint64_t pc : pcs) {
      StackFrame f;
      f.pc = pc;
      if (const PcFrame* pf = trace.frame(pc)) {
        f.func = trace.string(pf->func);
        f.file = trace.string(pf->file);
        f.line = pf->line;
      }
      frames_.push_back(f);
    }
    stacks_[id] = {first, static_cast<std::uint32_t>(pcs.size())};
  }
}

std::string_view V1Tables::string(std::uint64_t id) const {
  if (id == 0) return {};
  if (id <= max_id_) return trace_.string(id);
  std::uint64_t i = id - max_id_ - 1;
  if (i < inline_count_) return trace_.inline_strings()[i];
  i -= inline_count_;
  return i < kBuiltinCount ? kBuiltins[i] : std::string_view{};
}

Stack V1Tables::stack(std::uint64_t id) const {
  if (id == 0 || id > 0xffffffffu) return {};
  const auto* e = stacks_.find(static_cast<std::int64_t>(id));
  if (e == nullptr) return {};
  return Stack(frames_).subspan(e->second.first, e->second.second);
}

std::string_view V1Tables::extra_string(std::uint64_t id) const {
  return id == 0 || id > extra_.size() ? std::string_view{} : extra_[id - 1];
}

std::uint64_t V1Tables::add_extra_string(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, fresh] = extra_ids_.emplace(s, extra_.size() + 1);
  if (fresh) extra_.push_back(s);
  return it->second;
}

std::uint64_t V1Tables::stw_range_name(unsigned which) {
  std::string name = "stop-the-world (";
  name += string(builtin_id(which));
  name += ')';
  auto it = extra_ids_.find(name);
  if (it != extra_ids_.end()) return it->second;
  owned_.push_back(std::move(name));
  return add_extra_string(owned_.back());
}

V1Converter::V1Converter(const OldTrace& trace, CheckedOrder checked)
    : trace_(trace), tables_(trace), checked_(std::move(checked)), replay_(trace, &checked_.netpoll) {}

void V1Converter::make(Event& e, EventType type, Time t, GoId g, ProcId p, ThreadId m,
                       const std::array<std::uint64_t, 4>& args) const {
  e.type = type;
  e.time = t;
  e.g = g;
  e.p = p;
  e.m = m;
  for (std::size_t i = 0; i < args.size(); i++) e.args[i] = args[i];
  e.tables = &tables_;
}

ThreadId V1Converter::proc_m_or_zero(std::int32_t p) const {
  const auto* e = proc_ms_.find(p_key(p));
  return e == nullptr ? 0 : e->second;  // Go reads its map's zero value here
}

Result<bool> V1Converter::peek_first(Time& ts) {
  if (!have_peeked_) {
    auto r = replay_.next();
    if (!r) return r.error();
    have_peeked_ = true;
    peeked_ = *r;
  }
  if (peeked_ != nullptr) ts = peeked_->ts;
  return peeked_ != nullptr;
}

Result<bool> V1Converter::next(Event& out) {
  for (;;) {
    if (extra_pos_ < extra_.size()) {
      out = extra_[extra_pos_++];
      if (extra_pos_ == extra_.size()) {
        extra_.clear();
        extra_pos_ = 0;
      }
    } else {
      const OldEvent* ev = nullptr;
      std::uint64_t index = 0;
      if (have_peeked_) {
        have_peeked_ = false;
        ev = peeked_;
        index = replay_.index() - 1;
      } else {
        index = replay_.index();
        auto r = replay_.next();
        if (!r) return r.error();
        ev = *r;
      }
      if (ev == nullptr) return false;
      const bool blocked = ev->type == OldType::GoSysCall && index < checked_.blocked.size() && checked_.blocked[index];
      if (convert(*ev, blocked, out) == Outcome::Skip) continue;
    }
    // The new model allows no two events at one time (GoStatus events share theirs).
    // Wrapping, as Go's int64 (a damaged trace can put last_ts_ at INT64_MAX; found by tests/fuzz).
    if (out.time <= last_ts_) out.time = static_cast<Time>(static_cast<std::uint64_t>(last_ts_) + 1);
    last_ts_ = out.time;
    return true;
  }
}

V1Converter::Outcome V1Converter::convert(const OldEvent& ev, bool blocked, Event& out) {
  EventType type = EventType::None;
  std::array<std::uint64_t, 4> args = ev.args;
  auto reason = [&](Builtin b) { return std::array<std::uint64_t, 4>{tables_.builtin_id(b), ev.stk, 0, 0}; };
  const Time t = ev.ts;

  switch (ev.type) {
    case OldType::Gomaxprocs:
      type = EventType::ProcsChange;
      if (pre_init_) {
        // The first Gomaxprocs ends the description of goroutines that existed at trace start.
        pre_init_ = false;
        for (std::uint64_t gid : created_pre_init_) {
          make(extra_.emplace_back(), EventType::GoStatus, t, kNoGoroutine, kNoProc, kNoThread, go_status_args(gid, WireGoStatus::Runnable));
        }
        created_pre_init_.clear();
        return Outcome::Skip;
      }
      break;
    case OldType::ProcStart:
      proc_ms_[p_key(ev.p)] = static_cast<ThreadId>(ev.args[0]);
      if (seen_procs_.emplace(p_key(ev.p)).second) {
        type = EventType::ProcStatus;
        args = proc_status_args(ev.p, WireProcStatus::Running);
      } else {
        type = EventType::ProcStart;
        args = {static_cast<std::uint64_t>(ev.p), 0, 0, 0};
      }
      break;
    case OldType::ProcStop:
      if (seen_procs_.emplace(p_key(ev.p)).second) {
        type = EventType::ProcStatus;
        args = proc_status_args(ev.p, WireProcStatus::Idle);
      } else {
        type = EventType::ProcStop;
        args = {static_cast<std::uint64_t>(ev.p), 0, 0, 0};
      }
      break;
    case OldType::GCStart: type = EventType::GCBegin; break;
    case OldType::GCDone: type = EventType::GCEnd; break;
    case OldType::STWStart: {
      auto which = kSTWUnknown + stw_reason(trace_.minor(), ev.args[0]);
      last_stw_reason_ = which;
      type = EventType::STWBegin;
      args = {tables_.builtin_id(which), 0, 0, 0};
      set_stw_name(args, tables_.stw_range_name(which));
      break;
    }
    case OldType::STWDone:
      type = EventType::STWEnd;
      args = {tables_.builtin_id(last_stw_reason_), 0, 0, 0};
      set_stw_name(args, tables_.stw_range_name(last_stw_reason_));
      break;
    case OldType::GCSweepStart: type = EventType::GCSweepBegin; break;
    case OldType::GCSweepDone: type = EventType::GCSweepEnd; break;
    case OldType::GoCreate:
      if (pre_init_) {
        created_pre_init_.insert(ev.args[0]);
        return Outcome::Skip;
      }
      type = EventType::GoCreate;
      break;
    case OldType::GoStart:
      if (pre_init_) {
        type = EventType::GoStatus;
        args = go_status_args(ev.args[0], WireGoStatus::Running);
        created_pre_init_.erase(ev.args[0]);
      } else {
        type = EventType::GoStart;
      }
      break;
    case OldType::GoStartLabel: {
      auto g = static_cast<GoId>(ev.g);
      auto m = proc_m_or_zero(ev.p);
      extra_.clear();
      make(extra_.emplace_back(), EventType::GoLabel, t, g, ev.p, m, {ev.args[2], 0, 0, 0});
      extra_pos_ = 0;
      make(out, EventType::GoStart, t, g, ev.p, m, args);
      return Outcome::Emit;
    }
    case OldType::GoEnd: type = EventType::GoDestroy; break;
    case OldType::GoStop: type = EventType::GoBlock; args = reason(kForever); break;
    case OldType::GoSched: type = EventType::GoStop; args = reason(kGosched); break;
    case OldType::GoPreempt: type = EventType::GoStop; args = reason(kPreempted); break;
    case OldType::GoSleep: type = EventType::GoBlock; args = reason(kSleep); break;
    case OldType::GoBlock: type = EventType::GoBlock; args = reason(kEmpty); break;
    case OldType::GoUnblock: type = EventType::GoUnblock; break;
    case OldType::GoBlockSend: type = EventType::GoBlock; args = reason(kChanSend); break;
    case OldType::GoBlockRecv: type = EventType::GoBlock; args = reason(kChanRecv); break;
    case OldType::GoBlockSelect: type = EventType::GoBlock; args = reason(kSelect); break;
    case OldType::GoBlockSync: type = EventType::GoBlock; args = reason(kSync); break;
    case OldType::GoBlockCond: type = EventType::GoBlock; args = reason(kSyncCond); break;
    case OldType::GoBlockNet: type = EventType::GoBlock; args = reason(kNetwork); break;
    case OldType::GoBlockGC: type = EventType::GoBlock; args = reason(kMarkAssistWait); break;
    case OldType::GoSysCall:
      if (blocked) {
        type = EventType::GoSyscallBegin;
        args = {0, ev.stk, 0, 0};
      } else {
        // An instantaneous syscall becomes the shortest possible one: 1 ns.
        auto g = static_cast<GoId>(ev.g);
        auto m = proc_m_or_zero(ev.p);
        make(extra_.emplace_back(), EventType::GoSyscallEnd, t + 1, g, ev.p, m, {0, 0, 0, 0});
        make(out, EventType::GoSyscallBegin, t, g, ev.p, m, {0, ev.stk, 0, 0});
        return Outcome::Emit;
      }
      break;
    case OldType::GoSysExit: type = EventType::GoSyscallEndBlocked; break;
    case OldType::GoSysBlock: return Outcome::Skip;
    case OldType::GoWaiting:
      type = EventType::GoStatus;
      args = go_status_args(ev.args[0], WireGoStatus::Waiting);
      created_pre_init_.erase(ev.args[0]);
      break;
    case OldType::GoInSyscall:
      // Old traces do not say which thread the syscall is on.
      type = EventType::GoStatus;
      args = go_status_args(ev.args[0], WireGoStatus::Syscall);
      created_pre_init_.erase(ev.args[0]);
      break;
    case OldType::HeapAlloc: type = EventType::HeapAlloc; break;
    case OldType::HeapGoal: type = EventType::HeapGoal; break;
    case OldType::GCMarkAssistStart: type = EventType::GCMarkAssistBegin; break;
    case OldType::GCMarkAssistDone: type = EventType::GCMarkAssistEnd; break;
    case OldType::UserTaskCreate: {
      type = EventType::UserTaskBegin;
      std::uint64_t parent = ev.args[1] == 0 ? kNoTask : ev.args[1];
      args = {ev.args[0], parent, ev.args[2], ev.stk};
      tasks_[ev.args[0]] = TaskState{tables_.string(ev.args[2]), ev.args[1]};
      break;
    }
    case OldType::UserTaskEnd: {
      type = EventType::UserTaskEnd;
      // Event::task() reads the parent and the type from the spare arguments (as Go's does).
      args = {ev.args[0], ev.args[1], 0, 0};
      auto it = tasks_.find(ev.args[0]);
      if (it != tasks_.end()) {
        set_task_end(args, it->second.parent, tables_.add_extra_string(it->second.name));
        tasks_.erase(it);
      } else {
        set_task_end(args, kNoTask, 0);
      }
      break;
    }
    case OldType::UserRegion:
      type = ev.args[1] == 0 ? EventType::UserRegionBegin : EventType::UserRegionEnd;
      args = {ev.args[0], ev.args[2], ev.stk, 0};
      break;
    case OldType::UserLog:
      type = EventType::UserLog;
      args = {ev.args[0], ev.args[1], tables_.inline_id(ev.args[3]), ev.stk};
      break;
    case OldType::CPUSample:
      // Go 1.21 samples carry no M. The generic stack placement below also lands the stack id
      // in the last argument (Go does the same); the sample's stack is read from the first.
      type = EventType::CPUSample;
      args = {ev.stk, kAll, static_cast<std::uint64_t>(static_cast<std::int64_t>(ev.p)), ev.g};
      break;
    default:
      return Outcome::Skip;  // FutileWakeup
  }

  // Old events with a stack put it where the new event's spec keeps its stack id.
  if (old_spec(ev.type).stack) {
    int slot = -1;
    switch (type) {
      case EventType::GCSweepBegin: case EventType::GCMarkAssistBegin: slot = 0; break;
      case EventType::ProcsChange: case EventType::GoStop: case EventType::GoBlock:
      case EventType::GoSyscallBegin: case EventType::STWBegin: case EventType::GCBegin:
      case EventType::UserTaskEnd:
        slot = 1; break;
      case EventType::GoCreate: case EventType::GoUnblock: case EventType::UserRegionBegin:
      case EventType::UserRegionEnd:
        slot = 2; break;
      case EventType::UserTaskBegin: case EventType::UserLog: case EventType::CPUSample: slot = 3; break;
      default: break;
    }
    if (slot >= 0) args[static_cast<std::size_t>(slot)] = ev.stk;
  }

  ThreadId m = kNoThread;
  if (ev.p != -1 && ev.type != OldType::CPUSample) {
    if (const auto* e = proc_ms_.find(p_key(ev.p))) m = e->second;
  }
  if (ev.type == OldType::ProcStop) proc_ms_.erase(p_key(ev.p));
  GoId g = ev.g == 0 ? kNoGoroutine : static_cast<GoId>(ev.g);
  make(out, type, t, g, ev.p, m, args);
  return Outcome::Emit;
}

}  // namespace gtanalyze::parser::v1
