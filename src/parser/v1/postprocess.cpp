// Go's postProcessTrace (Go 1.26 tracev1, with Go 1.19's variations behind the dialect): the
// consistency checks over the final order and the few rewrites it makes.
#include "parser/v1/postprocess.hpp"

#include <fmt/format.h>

#include "parser/v1/parser.hpp"

namespace gtanalyze::parser::v1 {

namespace {
constexpr std::uint8_t kDead = 0, kRunnable = 1, kRunning = 2, kWaiting = 3;

std::int64_t g_key(std::uint64_t g) { return static_cast<std::int64_t>(g); }
}  // namespace

PostProcessor::PostProcessor(const OldTrace& trace) : trace_(trace) {
  gs_[0] = G{kRunning, OldType::None, false, false, 0};
}

Status PostProcessor::check_running(const P& p, const G& g, const OldEvent& ev, bool allow_g0,
                                    std::uint64_t index) const {
  auto name = old_spec(ev.type).name;
  if (g.state != kRunning) {
    return fail(ev, index, "g {} is not running while {} (time {})", ev.g, name, ev.ts);
  }
  if (p.g != ev.g) {
    return fail(ev, index, "p {} is not running g {} while {} (time {})", ev.p, ev.g, name, ev.ts);
  }
  if (!allow_g0 && ev.g == 0) {
    return fail(ev, index, "g 0 did {} (time {})", name, ev.ts);
  }
  return {};
}

Status PostProcessor::apply(OldEvent& ev, std::uint64_t index) {
  const bool go119 = trace_.dialect() == Dialect::Go119;
  // Go's maps hand out zero values for absent keys; these copies are written back where Go does.
  const auto* git = gs_.find(g_key(ev.g));
  G g = git == nullptr ? G{} : git->second;
  const auto* pit = ps_.find(p_key(ev.p));
  P p = pit == nullptr ? P{} : pit->second;
  bool put_g = go119, put_p = go119;  // Go 1.19 writes both back after every event

  // One named result, initialised and returned: the handlers build it in apply()'s return slot
  // (assigning it instead cost 1.5% of a whole v1 run).
  Status status = apply_by_kind(ev, index, g, p, put_g, put_p);
  if (status) {
    if (put_g) gs_[g_key(ev.g)] = g;
    if (put_p) ps_[p_key(ev.p)] = p;
    count_missing_stacks(ev);
    drop_empty_stack(ev);
  }
  return status;
}

Status PostProcessor::apply_by_kind(OldEvent& ev, std::uint64_t index, G& g, P& p, bool& put_g, bool& put_p) {
  switch (ev.type) {
    case OldType::ProcStart: put_p = true; return start_proc(ev, index, p);
    case OldType::ProcStop: put_p = true; return stop_proc(ev, index, p);
    case OldType::GCStart: return begin_gc(ev, index);
    case OldType::GCDone: return end_gc(ev, index);
    case OldType::STWStart:
    case OldType::STWDone: put_p = put_p || stw_is_per_p(); return begin_or_end_stw(ev, index, p);
    case OldType::GCSweepStart: put_p = true; return begin_sweep(ev, index, p);
    case OldType::GCSweepDone: put_p = true; return end_sweep(ev, index, p);
    case OldType::GCMarkAssistStart: put_g = true; return begin_mark_assist(ev, index, g);
    case OldType::GCMarkAssistDone:
      // A mark assist may be under way when tracing starts: an unmatched end is fine.
      g.mark_assist = false;
      put_g = true;
      return {};
    case OldType::GoWaiting:
    case OldType::GoInSyscall: put_g = true; return wait_since_trace_start(ev, index, g);
    case OldType::GoCreate: return create_goroutine(ev, index, g, p);
    case OldType::GoStart:
    case OldType::GoStartLabel: put_g = put_p = true; return start_goroutine(ev, index, g, p);
    case OldType::GoEnd:
    case OldType::GoStop: put_g = put_p = true; return end_or_stop_goroutine(ev, index, g, p);
    case OldType::GoSched:
    case OldType::GoPreempt: put_g = put_p = true; return yield_goroutine(ev, index, g, p);
    case OldType::GoUnblock: return unblock_goroutine(ev, index, g, p);
    case OldType::GoSysCall: put_g = true; return enter_syscall(ev, index, g, p);
    case OldType::GoSysBlock: put_g = put_p = true; return block_in_syscall(ev, index, g, p);
    case OldType::GoSysExit: put_g = true; return exit_syscall(ev, index, g);
    case OldType::UserTaskCreate: return create_task(ev, index);
    case OldType::UserTaskEnd: tasks_.erase(ev.args[0]); return {};
    case OldType::UserRegion: return begin_or_end_region(ev, index);
    default:
      if (!is_block(ev.type)) return {};
      put_g = put_p = true;
      return block_goroutine(ev, index, g, p);
  }
}

Status PostProcessor::start_proc(const OldEvent& ev, std::uint64_t index, P& p) {
  if (p.running) return fail(ev, index, "p {} is running before start (time {})", ev.p, ev.ts);
  p.running = true;
  return {};
}

Status PostProcessor::stop_proc(const OldEvent& ev, std::uint64_t index, P& p) {
  if (!p.running) return fail(ev, index, "p {} is not running before stop (time {})", ev.p, ev.ts);
  if (p.g != 0) return fail(ev, index, "p {} is running a goroutine {} during stop (time {})", ev.p, p.g, ev.ts);
  p.running = false;
  return {};
}

Status PostProcessor::begin_gc(OldEvent& ev, std::uint64_t index) {
  if (gc_) return fail(ev, index, "previous GC is not ended before a new one (time {})", ev.ts);
  gc_ = true;
  ev.p = kGCP;  // attributed to the global GC state
  return {};
}

Status PostProcessor::end_gc(const OldEvent& ev, std::uint64_t index) {
  if (!gc_) return fail(ev, index, "bogus GC end (time {})", ev.ts);
  gc_ = false;
  return {};
}

bool PostProcessor::stw_is_per_p() const {
  // Before Go 1.10 STW was per P (Go 1.19 tracks it so; Go 1.26 never reads those traces).
  return trace_.minor() < 10;
}

Status PostProcessor::begin_or_end_stw(const OldEvent& ev, std::uint64_t index, P& p) {
  bool& open = stw_is_per_p() ? p.stw : stw_;
  if (ev.type == OldType::STWStart) {
    if (open) return fail(ev, index, "previous STW is not ended before a new one (time {})", ev.ts);
    open = true;
  } else {
    if (!open) return fail(ev, index, "bogus STW end (time {})", ev.ts);
    open = false;
  }
  return {};
}

Status PostProcessor::begin_sweep(const OldEvent& ev, std::uint64_t index, P& p) {
  if (p.sweep) return fail(ev, index, "previous sweeping is not ended before a new one (time {})", ev.ts);
  p.sweep = true;
  return {};
}

Status PostProcessor::end_sweep(const OldEvent& ev, std::uint64_t index, P& p) {
  if (!p.sweep) return fail(ev, index, "bogus sweeping end (time {})", ev.ts);
  p.sweep = false;
  return {};
}

Status PostProcessor::begin_mark_assist(const OldEvent& ev, std::uint64_t index, G& g) {
  if (g.mark_assist) return fail(ev, index, "previous mark assist is not ended before a new one (time {})", ev.ts);
  g.mark_assist = true;
  return {};
}

Status PostProcessor::wait_since_trace_start(const OldEvent& ev, std::uint64_t index, G& g) {
  if (g.state != kRunnable) {
    return fail(ev, index, "g {} is not runnable before Ev{} (time {})", ev.g, old_spec(ev.type).name, ev.ts);
  }
  g.state = kWaiting;
  g.last = ev.type;
  return {};
}

Status PostProcessor::create_goroutine(const OldEvent& ev, std::uint64_t index, const G& g, const P& p) {
  GTA_TRY(check_running(p, g, ev, true, index));
  const bool go119 = trace_.dialect() == Dialect::Go119;
  if (gs_.find(g_key(ev.args[0])) != nullptr || (go119 && ev.args[0] == ev.g)) {
    return fail(ev, index, "g {} already exists (time {})", ev.args[0], ev.ts);
  }
  gs_[g_key(ev.args[0])] = G{kRunnable, OldType::GoCreate, true, false, static_cast<std::uint32_t>(ev.args[1])};
  return {};
}

Status PostProcessor::start_goroutine(OldEvent& ev, std::uint64_t index, G& g, P& p) {
  if (g.state != kRunnable) return fail(ev, index, "g {} is not runnable before start (time {})", ev.g, ev.ts);
  if (p.g != 0) {
    return fail(ev, index, "p {} is already running g {} while start g {} (time {})", ev.p, p.g, ev.g, ev.ts);
  }
  g.state = kRunning;
  p.g = ev.g;
  if (g.has_create && trace_.minor() >= 7) {
    // A goroutine's first start shows where it was created (before 1.7 that argument was
    // a bare PC, not a stack id).
    ev.stk = g.create_stack;
    g.has_create = false;
  }
  g.last = OldType::None;
  return {};
}

Status PostProcessor::end_or_stop_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p) {
  GTA_TRY(check_running(p, g, ev, false, index));
  g.state = kDead;
  p.g = 0;
  if (ev.type == OldType::GoEnd) regions_.erase(ev.g);
  return {};
}

Status PostProcessor::yield_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p) {
  GTA_TRY(check_running(p, g, ev, false, index));
  g.state = kRunnable;
  p.g = 0;
  g.last = ev.type;
  return {};
}

Status PostProcessor::block_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p) {
  GTA_TRY(check_running(p, g, ev, false, index));
  g.state = kWaiting;
  g.last = ev.type;
  p.g = 0;
  return {};
}

Status PostProcessor::unblock_goroutine(OldEvent& ev, std::uint64_t index, G& g, const P& p) {
  if (g.state != kRunning) return fail(ev, index, "g {} is not running while unpark (time {})", ev.g, ev.ts);
  if (ev.p != kTimerP && p.g != ev.g) {
    return fail(ev, index, "p {} is not running g {} while unpark (time {})", ev.p, ev.g, ev.ts);
  }
  auto& g1 = gs_[g_key(ev.args[0])];
  if (g1.state != kWaiting) return fail(ev, index, "g {} is not waiting before unpark (time {})", ev.args[0], ev.ts);
  const bool go119 = trace_.dialect() == Dialect::Go119;
  if (g1.last == OldType::GoBlockNet && (!go119 || ev.p != kTimerP)) ev.p = kNetpollP;
  g1.state = kRunnable;
  g1.last = OldType::GoUnblock;
  if (go119 && ev.args[0] == ev.g) g = g1;  // Go 1.19 writes its stale copy back; keep them equal
  return {};
}

Status PostProcessor::enter_syscall(const OldEvent& ev, std::uint64_t index, G& g, const P& p) {
  GTA_TRY(check_running(p, g, ev, false, index));
  g.last = ev.type;
  return {};
}

Status PostProcessor::block_in_syscall(const OldEvent& ev, std::uint64_t index, G& g, P& p) {
  GTA_TRY(check_running(p, g, ev, false, index));
  g.state = kWaiting;
  p.g = 0;
  return {};
}

Status PostProcessor::exit_syscall(const OldEvent& ev, std::uint64_t index, G& g) {
  if (g.state != kWaiting) return fail(ev, index, "g {} is not waiting during syscall exit (time {})", ev.g, ev.ts);
  g.state = kRunnable;
  g.last = ev.type;
  return {};
}

Status PostProcessor::create_task(const OldEvent& ev, std::uint64_t index) {
  if (!tasks_.insert(ev.args[0]).second) return fail(ev, index, "task id conflicts (id:{})", ev.args[0]);
  return {};
}

Status PostProcessor::begin_or_end_region(const OldEvent& ev, std::uint64_t index) {
  const auto mode = ev.args[1];
  if (mode == 0) {
    regions_[ev.g].push_back(Region{ev.args[0], ev.args[2]});
    return {};
  }
  if (mode != 1) return fail(ev, index, "invalid user region mode: {}", mode);
  auto it = regions_.find(ev.g);
  if (it == regions_.end() || it->second.empty()) return {};  // began before the trace did
  const Region& s = it->second.back();
  bool same_type = s.type == ev.args[2] ||
                   (trace_.dialect() == Dialect::Go119 && trace_.string(s.type) == trace_.string(ev.args[2]));
  if (s.task != ev.args[0] || !same_type) {
    return fail(ev, index,
                "misuse of region in goroutine {}: span end does not match the "
                "inner-most active span start",
                ev.g);
  }
  it->second.pop_back();
  if (it->second.empty()) regions_.erase(it);
  return {};
}

void PostProcessor::count_missing_stacks(const OldEvent& ev) {
  auto missing = [&](std::uint64_t id) { return id != 0 && !trace_.has_stack(static_cast<std::uint32_t>(id)); };
  if (missing(ev.stk) || (ev.type == OldType::GoCreate && trace_.minor() >= 7 && missing(ev.args[1]))) {
    if (missing_stacks_++ == 0) first_missing_offset_ = ev.offset;
  }
}

void PostProcessor::drop_empty_stack(OldEvent& ev) const {
  // Events must not point at stacks that do not exist or have no frames (Go 1.26 drops them).
  if (trace_.dialect() != Dialect::Go119 && ev.stk != 0 && trace_.stack_pcs(ev.stk).empty()) ev.stk = 0;
}

void PostProcessor::rewrite(OldEvent& ev, bool to_netpoll) {
  switch (ev.type) {
    case OldType::GCStart: ev.p = kGCP; break;
    case OldType::GoCreate: create_stacks_[g_key(ev.args[0])] = static_cast<std::uint32_t>(ev.args[1]); break;
    case OldType::GoStart:
    case OldType::GoStartLabel:
      if (trace_.minor() >= 7) {
        if (auto* e = create_stacks_.find(g_key(ev.g))) {
          ev.stk = e->second;
          create_stacks_.erase(e);
        }
      }
      break;
    case OldType::GoUnblock:
      if (to_netpoll) ev.p = kNetpollP;
      break;
    default: break;
  }
  drop_empty_stack(ev);
}

}  // namespace gtanalyze::parser::v1
