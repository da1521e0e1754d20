// The converter from old events into the Go 1.22+ event model (Go 1.26 tracev1.go semantics;
// the header lists the non-obvious translations).
#include "parser/v1/convert.hpp"

#include <array>

#include "parser/event_extras.hpp"

namespace gtanalyze::parser::v1 {

namespace {

// The converter's own strings, in Go's order (their ids follow the trace's strings).
enum Builtin : unsigned {
  kForever,
  kPreempted,
  kGosched,
  kSleep,
  kChanSend,
  kChanRecv,
  kNetwork,
  kSync,
  kSyncCond,
  kSelect,
  kEmpty,
  kMarkAssistWait,
  kSTWUnknown,
  kBuiltinCount = kSTWUnknown + 17,
};

constexpr std::array<std::string_view, kBuiltinCount> kBuiltins = {
    "forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive", "network", "sync",
    "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
    // STW reasons, numbered as the Go 1.21 runtime's stwReason.
    "", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
    "goroutine profile cleanup", "all goroutine stack trace", "read mem stats", "AllThreadsSyscall", "GOMAXPROCS",
    "start trace", "stop trace", "CountPagesInUse (test)", "ReadMetricsSlow (test)", "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)", "ResetDebugLog (test)"};

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

// Where the new event's spec keeps its stack id (-1: it has none).
int stack_slot(EventType type) {
  switch (type) {
    case EventType::GCSweepBegin:
    case EventType::GCMarkAssistBegin: return 0;
    case EventType::ProcsChange:
    case EventType::GoStop:
    case EventType::GoBlock:
    case EventType::GoSyscallBegin:
    case EventType::STWBegin:
    case EventType::GCBegin:
    case EventType::UserTaskEnd: return 1;
    case EventType::GoCreate:
    case EventType::GoUnblock:
    case EventType::UserRegionBegin:
    case EventType::UserRegionEnd: return 2;
    case EventType::UserTaskBegin:
    case EventType::UserLog:
    case EventType::CPUSample: return 3;
    default: return -1;
  }
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
        const auto missing = [&](std::uint64_t s) { return s != 0 && !trace.strings().contains(s); };
        if (missing(pf->func) || missing(pf->file)) frames_without_strings_++;
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
  std::lock_guard lock(extra_mutex_);
  return id == 0 || id > extra_.size() ? std::string_view{} : extra_[id - 1];
}

std::uint64_t V1Tables::add_extra_string(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, fresh] = extra_ids_.emplace(s, extra_ids_.size() + 1);
  if (fresh) {
    std::lock_guard lock(extra_mutex_);
    extra_.push_back(s);
  }
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
      if (pre_init_ && trace_.truncated() && !in_start_block(*ev)) {
        // The record that ends the start-of-trace block (its Gomaxprocs) was cut off: end it at
        // the first event that cannot belong to it, which is converted after the block's close.
        end_pre_init(ev->ts);
        start_block_cut_ = true;
        have_peeked_ = true;
        peeked_ = ev;
        continue;
      }
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
  auto reason = [&](Builtin b) { return EventArgs{tables_.builtin_id(b), ev.stk, 0, 0}; };
  auto gid_args = [&](WireGoStatus status) { return status_at_trace_start(ev.args[0], status); };
  // Each case ends in its own emit(): with the event's type known there, the compiler resolves
  // the stack placement per case (one shared tail cost convert() 30% more instructions).
  switch (ev.type) {
    case OldType::Gomaxprocs:
      if (pre_init_) {
        end_pre_init(ev.ts);
        return Outcome::Skip;
      }
      return emit(ev, EventType::ProcsChange, ev.args, out);
    case OldType::ProcStart: {
      proc_ms_[p_key(ev.p)] = static_cast<ThreadId>(ev.args[0]);
      EventArgs args;
      const EventType type = proc_transition(ev.p, WireProcStatus::Running, EventType::ProcStart, args);
      return emit(ev, type, args, out);
    }
    case OldType::ProcStop: {
      EventArgs args;
      const EventType type = proc_transition(ev.p, WireProcStatus::Idle, EventType::ProcStop, args);
      return emit(ev, type, args, out);
    }
    case OldType::GCStart: return emit(ev, EventType::GCBegin, ev.args, out);
    case OldType::GCDone: return emit(ev, EventType::GCEnd, ev.args, out);
    case OldType::STWStart:
      last_stw_reason_ = kSTWUnknown + stw_reason(trace_.minor(), ev.args[0]);
      return emit(ev, EventType::STWBegin, stw_args(last_stw_reason_), out);
    case OldType::STWDone: return emit(ev, EventType::STWEnd, stw_args(last_stw_reason_), out);
    case OldType::GCSweepStart: return emit(ev, EventType::GCSweepBegin, ev.args, out);
    case OldType::GCSweepDone: return emit(ev, EventType::GCSweepEnd, ev.args, out);
    case OldType::GoCreate:
      if (pre_init_) {
        created_pre_init_.insert(ev.args[0]);
        return Outcome::Skip;
      }
      return emit(ev, EventType::GoCreate, ev.args, out);
    case OldType::GoStart:
      if (pre_init_) return emit(ev, EventType::GoStatus, gid_args(WireGoStatus::Running), out);
      return emit(ev, EventType::GoStart, ev.args, out);
    case OldType::GoStartLabel: return emit_labelled_start(ev, out);
    case OldType::GoEnd: return emit(ev, EventType::GoDestroy, ev.args, out);
    case OldType::GoStop: return emit(ev, EventType::GoBlock, reason(kForever), out);
    case OldType::GoSched: return emit(ev, EventType::GoStop, reason(kGosched), out);
    case OldType::GoPreempt: return emit(ev, EventType::GoStop, reason(kPreempted), out);
    case OldType::GoSleep: return emit(ev, EventType::GoBlock, reason(kSleep), out);
    case OldType::GoBlock: return emit(ev, EventType::GoBlock, reason(kEmpty), out);
    case OldType::GoUnblock: return emit(ev, EventType::GoUnblock, ev.args, out);
    case OldType::GoBlockSend: return emit(ev, EventType::GoBlock, reason(kChanSend), out);
    case OldType::GoBlockRecv: return emit(ev, EventType::GoBlock, reason(kChanRecv), out);
    case OldType::GoBlockSelect: return emit(ev, EventType::GoBlock, reason(kSelect), out);
    case OldType::GoBlockSync: return emit(ev, EventType::GoBlock, reason(kSync), out);
    case OldType::GoBlockCond: return emit(ev, EventType::GoBlock, reason(kSyncCond), out);
    case OldType::GoBlockNet: return emit(ev, EventType::GoBlock, reason(kNetwork), out);
    case OldType::GoBlockGC: return emit(ev, EventType::GoBlock, reason(kMarkAssistWait), out);
    case OldType::GoSysCall:
      if (!blocked) return emit_instant_syscall(ev, out);
      return emit(ev, EventType::GoSyscallBegin, {0, ev.stk, 0, 0}, out);
    case OldType::GoSysExit: return emit(ev, EventType::GoSyscallEndBlocked, ev.args, out);
    case OldType::GoSysBlock: return Outcome::Skip;
    case OldType::GoWaiting: return emit(ev, EventType::GoStatus, gid_args(WireGoStatus::Waiting), out);
    case OldType::GoInSyscall:
      // Old traces do not say which thread the syscall is on.
      return emit(ev, EventType::GoStatus, gid_args(WireGoStatus::Syscall), out);
    case OldType::HeapAlloc: return emit(ev, EventType::HeapAlloc, ev.args, out);
    case OldType::HeapGoal: return emit(ev, EventType::HeapGoal, ev.args, out);
    case OldType::GCMarkAssistStart: return emit(ev, EventType::GCMarkAssistBegin, ev.args, out);
    case OldType::GCMarkAssistDone: return emit(ev, EventType::GCMarkAssistEnd, ev.args, out);
    case OldType::UserTaskCreate: return emit(ev, EventType::UserTaskBegin, begin_task(ev), out);
    case OldType::UserTaskEnd: return emit(ev, EventType::UserTaskEnd, end_task(ev), out);
    case OldType::UserRegion: {
      const EventType type = ev.args[1] == 0 ? EventType::UserRegionBegin : EventType::UserRegionEnd;
      return emit(ev, type, {ev.args[0], ev.args[2], ev.stk, 0}, out);
    }
    case OldType::UserLog:
      return emit(ev, EventType::UserLog, {ev.args[0], ev.args[1], tables_.inline_id(ev.args[3]), ev.stk}, out);
    case OldType::CPUSample:
      // Go 1.21 samples carry no M. The generic stack placement in emit() also lands the stack
      // id in the last argument (Go does the same); the sample's stack is read from the first.
      return emit(ev, EventType::CPUSample,
                  {ev.stk, kAll, static_cast<std::uint64_t>(static_cast<std::int64_t>(ev.p)), ev.g}, out);
    default: return Outcome::Skip;  // FutileWakeup
  }
}

V1Converter::Outcome V1Converter::emit(const OldEvent& ev, EventType type, const EventArgs& args, Event& out) {
  ThreadId m = kNoThread;
  if (ev.p != -1 && ev.type != OldType::CPUSample) {
    if (const auto* e = proc_ms_.find(p_key(ev.p))) m = e->second;
  }
  if (ev.type == OldType::ProcStop) proc_ms_.erase(p_key(ev.p));
  GoId g = ev.g == 0 ? kNoGoroutine : static_cast<GoId>(ev.g);
  make(out, type, ev.ts, g, ev.p, m, args);
  // Old events with a stack put it where the new event's spec keeps its stack id.
  if (const int slot = stack_slot(type); slot >= 0 && old_spec(ev.type).stack) {
    out.args[static_cast<std::size_t>(slot)] = ev.stk;
  }
  return Outcome::Emit;
}

bool V1Converter::in_start_block(const OldEvent& ev) {
  // StartTrace writes, on its own P with the world stopped: the goroutines that exist
  // (GoCreate, GoWaiting, GoInSyscall), then ProcStart and one GoStart, then Gomaxprocs; its own
  // allocations may sweep and change the heap meanwhile, and Go 1.21 writes HeapGoal before the
  // Gomaxprocs. CPU samples, merged by time, may fall anywhere.
  if (ev.type == OldType::CPUSample) return true;
  if (start_block_p_ == kNoStartBlockP) start_block_p_ = ev.p;
  if (ev.p != start_block_p_) return false;
  switch (ev.type) {
    case OldType::GoCreate:
    case OldType::GoWaiting:
    case OldType::GoInSyscall:
    case OldType::ProcStart: return !start_block_started_;
    case OldType::GoStart: return !std::exchange(start_block_started_, true);
    case OldType::HeapAlloc:
    case OldType::HeapGoal:
    case OldType::GCSweepStart:
    case OldType::GCSweepDone:
    case OldType::Gomaxprocs: return true;
    default: return false;
  }
}

void V1Converter::end_pre_init(Time t) {
  // The first Gomaxprocs ends the description of goroutines that existed at trace start.
  pre_init_ = false;
  for (std::uint64_t gid : created_pre_init_) {
    make(extra_.emplace_back(), EventType::GoStatus, t, kNoGoroutine, kNoProc, kNoThread,
         go_status_args(gid, WireGoStatus::Runnable));
  }
  created_pre_init_.clear();
}

EventArgs V1Converter::status_at_trace_start(std::uint64_t gid, WireGoStatus status) {
  created_pre_init_.erase(gid);
  return go_status_args(gid, status);
}

EventType V1Converter::proc_transition(std::int32_t p, WireProcStatus first_status, EventType later, EventArgs& args) {
  if (seen_procs_.emplace(p_key(p)).second) {
    args = proc_status_args(p, first_status);
    return EventType::ProcStatus;
  }
  args = {static_cast<std::uint64_t>(p), 0, 0, 0};
  return later;
}

EventArgs V1Converter::stw_args(unsigned which) {
  EventArgs args{tables_.builtin_id(which), 0, 0, 0};
  set_stw_name(args, tables_.stw_range_name(which));
  return args;
}

V1Converter::Outcome V1Converter::emit_labelled_start(const OldEvent& ev, Event& out) {
  auto g = static_cast<GoId>(ev.g);
  auto m = proc_m_or_zero(ev.p);
  extra_.clear();
  make(extra_.emplace_back(), EventType::GoLabel, ev.ts, g, ev.p, m, {ev.args[2], 0, 0, 0});
  extra_pos_ = 0;
  make(out, EventType::GoStart, ev.ts, g, ev.p, m, ev.args);
  return Outcome::Emit;
}

V1Converter::Outcome V1Converter::emit_instant_syscall(const OldEvent& ev, Event& out) {
  // An instantaneous syscall becomes the shortest possible one: 1 ns.
  auto g = static_cast<GoId>(ev.g);
  auto m = proc_m_or_zero(ev.p);
  make(extra_.emplace_back(), EventType::GoSyscallEnd, ev.ts + 1, g, ev.p, m, {0, 0, 0, 0});
  make(out, EventType::GoSyscallBegin, ev.ts, g, ev.p, m, {0, ev.stk, 0, 0});
  return Outcome::Emit;
}

EventArgs V1Converter::begin_task(const OldEvent& ev) {
  std::uint64_t parent = ev.args[1] == 0 ? kNoTask : ev.args[1];
  tasks_[ev.args[0]] = TaskState{tables_.string(ev.args[2]), ev.args[1]};
  return {ev.args[0], parent, ev.args[2], ev.stk};
}

EventArgs V1Converter::end_task(const OldEvent& ev) {
  // Event::task() reads the parent and the type from the spare arguments (as Go's does).
  EventArgs args{ev.args[0], ev.args[1], 0, 0};
  auto it = tasks_.find(ev.args[0]);
  if (it != tasks_.end()) {
    set_task_end(args, it->second.parent, tables_.add_extra_string(it->second.name));
    tasks_.erase(it);
  } else {
    set_task_end(args, kNoTask, 0);
  }
  return args;
}

}  // namespace gtanalyze::parser::v1
