// Ranges in flight on goroutines and procs (STW, mark assists, sweeps), the GC cycle, user
// tasks, regions and logs, and the other events that need only a context check. Spare argument
// slots carry facts to the Event views ("smuggled" in Go).
#include "parser/v2/ordering.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/spec.hpp"

namespace gtanalyze::parser::v2 {
namespace {

// The Range name of a stop-the-world event, kept as an extra string (set_stw_name). Like
// Go, the kind id of an STWEnd is looked up in the end's generation.
std::uint64_t intern_stw_name(GenerationTables* t, std::uint64_t kind) {
  std::string name = "stop-the-world (";
  name += t->string(kind);
  name += ')';
  return t->add_extra_string(name);
}

}  // namespace

EventType Ordering::range_start(EventType t) {
  const EventType s = all_specs()[static_cast<std::size_t>(t)].start_event;
  return s == EventType::None ? t : s;
}

bool Ordering::begin_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r) {
  if (std::find(ranges.begin(), ranges.end(), r) != ranges.end()) {
    return rejected(ev, "discovered event already in-flight for when starting event {}", event_type_name(r.type));
  }
  ranges.push_back(r);
  return true;
}

bool Ordering::active_range(const RawEvent& ev, std::vector<RangeType>& ranges, RangeType r, bool initial_gen) {
  const bool has = std::find(ranges.begin(), ranges.end(), r) != ranges.end();
  if (initial_gen) {
    if (has) return rejected(ev, "found named active range already in first gen: {}", event_type_name(r.type));
    ranges.push_back(r);
  } else if (!has) {
    return rejected(ev, "resource is missing active range: {}", event_type_name(r.type));
  }
  return true;
}

bool Ordering::end_range(const RawEvent& ev, std::vector<RangeType>& ranges, std::uint64_t& desc) {
  const EventType st = all_specs()[static_cast<std::size_t>(ev.type)].start_event;
  auto it = std::find_if(ranges.begin(), ranges.end(), [st](const RangeType& r) { return r.type == st; });
  if (it == ranges.end()) return rejected(ev, "tried to end event {}, but not in-flight", event_type_name(st));
  desc = it->desc;
  std::iter_swap(it, ranges.end() - 1);  // swap-remove, as Go (the order of the rest matters not)
  ranges.pop_back();
  return true;
}

// --- User annotations --------------------------------------------------------------------

Ordering::Step Ordering::user_task_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  // Tasks need no begin to be referenced and may end several times: only a second concurrent
  // begin of the same id is an error.
  const TaskId id = ev.args[0];
  if (active_tasks_.count(id) != 0) return fail(ev, "task ID conflict: {}", id);
  TaskId parent = ev.args[1];
  if (parent == kBackgroundTask) {
    // On a task, 0 means "no parent" (only regions default to the background task).
    parent = kNoTask;
    ev.args[1] = kNoTask;
  }
  if (!t->has_string(ev.args[2])) {
    return fail(ev, "invalid string ID {} for {} event", ev.args[2], event_type_name(ev.type));
  }
  active_tasks_[id] = TaskState{keep_name(t->string(ev.args[2])), parent};
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::user_task_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const TaskId id = ev.args[0];
  if (auto it = active_tasks_.find(id); it != active_tasks_.end()) {
    // The begin may be in an earlier generation, whose strings are gone: intern the type here.
    set_task_end(ev.args, it->second.parent, t->add_extra_string(it->second.name));
    active_tasks_.erase(it);
  } else {
    set_task_end(ev.args, kNoTask, 0);
  }
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::user_region(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  const TaskId task = ev.args[0];
  if (!t->has_string(ev.args[1])) {
    return fail(ev, "invalid string ID {} for {} event", ev.args[1], event_type_name(ev.type));
  }
  const std::string_view name = t->string(ev.args[1]);
  if (g_states_.find(cur.g) == g_states_.end()) {
    return fail(ev, "encountered Ev{} without known state for current goroutine {}", event_type_name(ev.type), cur.g);
  }
  if (ev.type == EventType::UserRegionBegin) {
    g_ranges_[cur.g].regions.push_back(UserRegion{task, keep_name(name)});
  } else if (auto r = g_ranges_.find(cur.g); r != g_ranges_.end() && !r->second.regions.empty()) {
    // Regions begun before tracing started are unknown: an unmatched end is fine then.
    std::vector<UserRegion>& regions = r->second.regions;
    const UserRegion& top = regions.back();
    if (top.task != task || top.name != name) {
      fail(ev,
           "misuse of region in goroutine {}: region end {{{} {}}} when the inner-most active "
           "region start event is {{{} {}}}",
           cur.g, task, name, top.task, top.name);
      error_.code = ErrorCode::Misuse;
      return Step::Failed;
    }
    regions.pop_back();
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::annotation(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

// --- GC ----------------------------------------------------------------------------------
// The mark phase has sequence numbers on begin and end, which may happen on different threads:
// an explicit edge so that broken timestamps cannot pair the end of one cycle with another.

Ordering::Step Ordering::gc_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (gen == initial_gen_) {
    if (gc_state_ != GcState::Undetermined) return fail(ev, "GCActive in the first generation isn't first GC event");
    gc_seq_ = seq;
    gc_state_ = GcState::Running;
    push(ev, t, cur);
    return Step::Done;
  }
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ != GcState::Running) return fail(ev, "encountered GCActive while GC was not in progress");
  gc_seq_ = seq;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::gc_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (gc_state_ == GcState::Undetermined) {
    gc_seq_ = seq;
    gc_state_ = GcState::Running;
    push(ev, t, cur);
    return Step::Done;
  }
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ == GcState::Running) return fail(ev, "encountered GCBegin while GC was already in progress");
  gc_seq_ = seq;
  gc_state_ = GcState::Running;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::gc_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  const std::uint64_t seq = ev.args[0];
  if (seq != gc_seq_ + 1) return Step::NotYet;
  if (gc_state_ == GcState::NotRunning) return fail(ev, "encountered GCEnd when GC was not in progress");
  if (gc_state_ == GcState::Undetermined) return fail(ev, "encountered GCEnd when GC was in an undetermined state");
  gc_seq_ = seq;
  gc_state_ = GcState::NotRunning;
  if (!user_go(ev, cur)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::heap_metric(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  auto it = p_states_.find(cur.p);
  if (it == p_states_.end()) return fail(ev, "unknown proc {} during {}", cur.p, event_type_name(ev.type));
  if (!begin_range(ev, it->second.ranges, RangeType{range_start(ev.type), 0})) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur, SchedCtx&) {
  // Only the current P can sweep in practice, but like mark assists the P is named explicitly.
  const auto pid = static_cast<ProcId>(ev.args[0]);
  auto it = p_states_.find(pid);
  if (it == p_states_.end()) return fail(ev, "encountered GCSweepActive for unknown proc {}", pid);
  if (!active_range(ev, it->second.ranges, RangeType{range_start(ev.type), 0}, gen == initial_gen_))
    return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::sweep_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MustHave, Need::MayHave)) return Step::Failed;
  auto it = p_states_.find(cur.p);
  if (it == p_states_.end()) return fail(ev, "unknown proc {} during {}", cur.p, event_type_name(ev.type));
  std::uint64_t desc = 0;
  if (!end_range(ev, it->second.ranges, desc)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_begin(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  const std::uint64_t desc = ev.type == EventType::STWBegin ? ev.args[0] : 0;
  auto it = g_states_.find(cur.g);
  if (it == g_states_.end()) {
    return fail(ev, "encountered event of type {} without known state for current goroutine {}",
                static_cast<unsigned>(ev.type), cur.g);
  }
  if (!begin_range(ev, g_ranges_[cur.g].ranges, RangeType{range_start(ev.type), desc})) return Step::Failed;
  if (ev.type == EventType::STWBegin) set_stw_name(ev.args, intern_stw_name(t, desc));
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_active(RawEvent& ev, GenerationTables* t, std::uint64_t gen, SchedCtx& cur,
                                         SchedCtx&) {
  // Like GoStatus this may name a goroutine that is not running: no context checks.
  const auto gid = static_cast<GoId>(ev.args[0]);
  if (g_states_.find(gid) == g_states_.end()) {
    return fail(ev, "uninitialized goroutine {} found during {}", gid, event_type_name(ev.type));
  }
  if (!active_range(ev, g_ranges_[gid].ranges, RangeType{range_start(ev.type), 0}, gen == initial_gen_))
    return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::go_range_end(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!user_go(ev, cur)) return Step::Failed;
  auto it = g_states_.find(cur.g);
  if (it == g_states_.end()) {
    return fail(ev, "encountered event of type {} without known state for current goroutine {}",
                static_cast<unsigned>(ev.type), cur.g);
  }
  std::uint64_t desc = 0;
  if (!end_range(ev, g_ranges_[cur.g].ranges, desc)) return Step::Failed;
  // STWEnd carries its kind (a string id of the begin's generation, as in Go) in args[0].
  if (ev.type == EventType::STWEnd) {
    ev.args[0] = desc;
    set_stw_name(ev.args, intern_stw_name(t, desc));
  }
  push(ev, t, cur);
  return Step::Done;
}

Ordering::Step Ordering::alloc_free(RawEvent& ev, GenerationTables* t, std::uint64_t, SchedCtx& cur, SchedCtx&) {
  if (!validate(ev, cur, Need::MustHave, Need::MayHave, Need::MayHave)) return Step::Failed;
  push(ev, t, cur);
  return Step::Done;
}

}  // namespace gtanalyze::parser::v2
