// Go's postProcessTrace (Go 1.26 tracev1, with Go 1.19's variations behind the dialect): the
// consistency checks over the final order and the few rewrites it makes.
#include "parser/v1/postprocess.hpp"

#include <fmt/format.h>

#include "parser/v1/parser.hpp"

namespace gtanalyze::parser::v1 {

namespace {
constexpr std::uint8_t kDead = 0, kRunnable = 1, kRunning = 2, kWaiting = 3;

std::int64_t g_key(std::uint64_t g) { return static_cast<std::int64_t>(g); }
}

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

  switch (ev.type) {
    case OldType::ProcStart:
      if (p.running) return fail(ev, index, "p {} is running before start (time {})", ev.p, ev.ts);
      p.running = true;
      put_p = true;
      break;
    case OldType::ProcStop:
      if (!p.running) return fail(ev, index, "p {} is not running before stop (time {})", ev.p, ev.ts);
      if (p.g != 0) {
        return fail(ev, index, "p {} is running a goroutine {} during stop (time {})", ev.p, p.g, ev.ts);
      }
      p.running = false;
      put_p = true;
      break;
    case OldType::GCStart:
      if (gc_) return fail(ev, index, "previous GC is not ended before a new one (time {})", ev.ts);
      gc_ = true;
      ev.p = kGCP;  // attributed to the global GC state
      break;
    case OldType::GCDone:
      if (!gc_) return fail(ev, index, "bogus GC end (time {})", ev.ts);
      gc_ = false;
      break;
    case OldType::STWStart:
    case OldType::STWDone: {
      // Before Go 1.10 STW was per P (Go 1.19 tracks it so; Go 1.26 never reads those traces).
      bool per_p = trace_.minor() < 10;
      bool& open = per_p ? p.stw : stw_;
      if (ev.type == OldType::STWStart) {
        if (open) return fail(ev, index, "previous STW is not ended before a new one (time {})", ev.ts);
        open = true;
      } else {
        if (!open) return fail(ev, index, "bogus STW end (time {})", ev.ts);
        open = false;
      }
      put_p = put_p || per_p;
      break;
    }
    case OldType::GCSweepStart:
      if (p.sweep) {
        return fail(ev, index, "previous sweeping is not ended before a new one (time {})", ev.ts);
      }
      p.sweep = true;
      put_p = true;
      break;
    case OldType::GCSweepDone:
      if (!p.sweep) return fail(ev, index, "bogus sweeping end (time {})", ev.ts);
      p.sweep = false;
      put_p = true;
      break;
    case OldType::GCMarkAssistStart:
      if (g.mark_assist) {
        return fail(ev, index, "previous mark assist is not ended before a new one (time {})", ev.ts);
      }
      g.mark_assist = true;
      put_g = true;
      break;
    case OldType::GCMarkAssistDone:
      // A mark assist may be under way when tracing starts: an unmatched end is fine.
      g.mark_assist = false;
      put_g = true;
      break;
    case OldType::GoWaiting:
    case OldType::GoInSyscall:
      if (g.state != kRunnable) {
        return fail(ev, index, "g {} is not runnable before Ev{} (time {})", ev.g, old_spec(ev.type).name, ev.ts);
      }
      g.state = kWaiting;
      g.last = ev.type;
      put_g = true;
      break;
    case OldType::GoCreate: {
      GTA_TRY(check_running(p, g, ev, true, index));
      if (gs_.find(g_key(ev.args[0])) != nullptr || (go119 && ev.args[0] == ev.g)) {
        return fail(ev, index, "g {} already exists (time {})", ev.args[0], ev.ts);
      }
      gs_[g_key(ev.args[0])] = G{kRunnable, OldType::GoCreate, true, false, static_cast<std::uint32_t>(ev.args[1])};
      break;
    }
    case OldType::GoStart:
    case OldType::GoStartLabel:
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
      put_g = put_p = true;
      break;
    case OldType::GoEnd:
    case OldType::GoStop:
      GTA_TRY(check_running(p, g, ev, false, index));
      g.state = kDead;
      p.g = 0;
      if (ev.type == OldType::GoEnd) regions_.erase(ev.g);
      put_g = put_p = true;
      break;
    case OldType::GoSched:
    case OldType::GoPreempt:
      GTA_TRY(check_running(p, g, ev, false, index));
      g.state = kRunnable;
      p.g = 0;
      g.last = ev.type;
      put_g = put_p = true;
      break;
    case OldType::GoUnblock: {
      if (g.state != kRunning) return fail(ev, index, "g {} is not running while unpark (time {})", ev.g, ev.ts);
      if (ev.p != kTimerP && p.g != ev.g) {
        return fail(ev, index, "p {} is not running g {} while unpark (time {})", ev.p, ev.g, ev.ts);
      }
      auto& g1 = gs_[g_key(ev.args[0])];
      if (g1.state != kWaiting) {
        return fail(ev, index, "g {} is not waiting before unpark (time {})", ev.args[0], ev.ts);
      }
      if (g1.last == OldType::GoBlockNet && (!go119 || ev.p != kTimerP)) ev.p = kNetpollP;
      g1.state = kRunnable;
      g1.last = OldType::GoUnblock;
      if (go119 && ev.args[0] == ev.g) g = g1;  // Go 1.19 writes its stale copy back; keep them equal
      break;
    }
    case OldType::GoSysCall:
      GTA_TRY(check_running(p, g, ev, false, index));
      g.last = ev.type;
      put_g = true;
      break;
    case OldType::GoSysBlock:
      GTA_TRY(check_running(p, g, ev, false, index));
      g.state = kWaiting;
      p.g = 0;
      put_g = put_p = true;
      break;
    case OldType::GoSysExit:
      if (g.state != kWaiting) {
        return fail(ev, index, "g {} is not waiting during syscall exit (time {})", ev.g, ev.ts);
      }
      g.state = kRunnable;
      g.last = ev.type;
      put_g = true;
      break;
    case OldType::UserTaskCreate:
      if (!tasks_.insert(ev.args[0]).second) {
        return fail(ev, index, "task id conflicts (id:{})", ev.args[0]);
      }
      break;
    case OldType::UserTaskEnd:
      tasks_.erase(ev.args[0]);
      break;
    case OldType::UserRegion: {
      auto mode = ev.args[1];
      if (mode == 0) {
        regions_[ev.g].push_back(Region{ev.args[0], ev.args[2]});
      } else if (mode == 1) {
        auto it = regions_.find(ev.g);
        if (it != regions_.end() && !it->second.empty()) {
          const Region& s = it->second.back();
          bool same_type = s.type == ev.args[2] ||
                           (go119 && trace_.string(s.type) == trace_.string(ev.args[2]));
          if (s.task != ev.args[0] || !same_type) {
            return fail(ev, index, "misuse of region in goroutine {}: span end does not match the "
                                               "inner-most active span start", ev.g);
          }
          it->second.pop_back();
          if (it->second.empty()) regions_.erase(it);
        }
      } else {
        return fail(ev, index, "invalid user region mode: {}", mode);
      }
      break;
    }
    default:
      if (is_block(ev.type)) {
        GTA_TRY(check_running(p, g, ev, false, index));
        g.state = kWaiting;
        g.last = ev.type;
        p.g = 0;
        put_g = put_p = true;
      }
      break;
  }
  if (put_g) gs_[g_key(ev.g)] = g;
  if (put_p) ps_[p_key(ev.p)] = p;

  auto missing = [&](std::uint64_t id) { return id != 0 && !trace_.has_stack(static_cast<std::uint32_t>(id)); };
  if (missing(ev.stk) || (ev.type == OldType::GoCreate && trace_.minor() >= 7 && missing(ev.args[1]))) {
    if (missing_stacks_++ == 0) first_missing_offset_ = ev.offset;
  }
  drop_empty_stack(ev);
  return {};
}

void PostProcessor::drop_empty_stack(OldEvent& ev) const {
  // Events must not point at stacks that do not exist or have no frames (Go 1.26 drops them).
  if (trace_.dialect() != Dialect::Go119 && ev.stk != 0 && trace_.stack_pcs(ev.stk).empty()) ev.stk = 0;
}

void PostProcessor::rewrite(OldEvent& ev, bool to_netpoll) {
  switch (ev.type) {
    case OldType::GCStart:
      ev.p = kGCP;
      break;
    case OldType::GoCreate:
      create_stacks_[g_key(ev.args[0])] = static_cast<std::uint32_t>(ev.args[1]);
      break;
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
    default:
      break;
  }
  drop_empty_stack(ev);
}

}  // namespace gtanalyze::parser::v1
