// Per-goroutine state machine and time accounting, with Go 1.26's summary.go semantics, plus the
// facts Go's summariser does not keep (final state, creation and block stacks, latencies) from
// which groups and leak candidates are computed at the end.
#include "analysis/summarizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "analysis/latency_histogram.hpp"
#include "analysis/leaks.hpp"
#include "base/id_map.hpp"

namespace gtanalyze::analysis {
namespace {

using base::IdMap;

// Strings that outlive their generation's tables (reasons, range names), by small ids.
class NameTable {
 public:
  std::uint32_t intern(std::string_view s) {
    // Most calls pass the same few strings of the generation's table, at the same address: a
    // direct-mapped cache on the address saves hashing the string per block. A table's views
    // stay put while their generation lasts, so the cache is emptied at each new one.
    const CacheSlot& c = cache_[slot_of(s)];
    if (c.data == s.data() && c.size == s.size()) return c.id;
    return intern_uncached(s);
  }
  void new_generation() { cache_.fill(CacheSlot{}); }
  const std::string& name(std::uint32_t id) const { return names_[id]; }

 private:
  struct CacheSlot {
    const char* data = nullptr;
    std::size_t size = 0;
    std::uint32_t id = 0;  // 0 is "", which the empty slot's (nullptr, 0) also means
  };
  static std::size_t slot_of(std::string_view s) { return (reinterpret_cast<std::uintptr_t>(s.data()) >> 3) % kCacheSlots; }

  [[gnu::noinline]] std::uint32_t intern_uncached(std::string_view s) {  // off the hot path
    std::uint32_t id = 0;
    auto it = ids_.find(s);
    if (it != ids_.end()) {
      id = it->second;
    } else {
      names_.emplace_back(s);
      id = static_cast<std::uint32_t>(names_.size() - 1);
      ids_.emplace(names_.back(), id);
    }
    cache_[slot_of(s)] = CacheSlot{s.data(), s.size(), id};
    return id;
  }

  static constexpr std::size_t kCacheSlots = 256;
  std::deque<std::string> names_;  // deque: stable addresses for the views in ids_
  std::unordered_map<std::string_view, std::uint32_t> ids_;
  std::array<CacheSlot, kCacheSlots> cache_{};
};

// Scheduling latencies of a goroutine not yet named, kept compact until finish() knows its
// group: zigzag uvarints, 2–3 bytes for the usual microsecond latencies instead of 8.
void append_latency(std::string& out, Duration d) {
  std::uint64_t z = (static_cast<std::uint64_t>(d) << 1) ^ static_cast<std::uint64_t>(d >> 63);
  char buf[10];
  std::size_t n = 0;
  while (z >= 0x80) {
    buf[n++] = static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  buf[n++] = static_cast<char>(z);
  out.append(buf, n);
}

template <class F>
void for_each_latency(const std::string& in, F&& f) {
  std::uint64_t z = 0;
  unsigned shift = 0;
  for (char ch : in) {
    const auto b = static_cast<std::uint8_t>(ch);
    z |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      f(static_cast<Duration>((z >> 1) ^ (~(z & 1) + 1)));
      z = 0;
      shift = 0;
    } else {
      shift += 7;
    }
  }
}

// Stacks copied out of their generation's tables, each distinct stack once. Lookups of the same
// table stack within a generation hit a cache keyed by the frames' address.
class StackTable {
 public:
  StackTable() { stacks_.emplace_back(); }
  std::uint32_t intern(Stack frames) {
    if (frames.empty()) return 0;
    // First a direct-mapped cache on the frames' address (a generation's table does not move),
    // then the hash map: blocks repeat the same few stacks millions of times.
    FastSlot& fast = fast_[(reinterpret_cast<std::uintptr_t>(frames.data()) / sizeof(StackFrame)) % kFastSlots];
    if (fast.frames == frames.data() && fast.size == frames.size()) return fast.id;
    return intern_uncached(frames, fast);
  }
  // A new generation: table addresses may be reused for other stacks.
  void new_generation() {
    cache_.clear();
    fast_.fill(FastSlot{});
  }
  std::vector<StackInfo> take() { return std::move(stacks_); }

 private:
  struct FastSlot {
    const StackFrame* frames = nullptr;
    std::size_t size = 0;
    std::uint32_t id = 0;
  };

  [[gnu::noinline]] std::uint32_t intern_uncached(Stack frames, FastSlot& fast) {  // off the hot path
    auto key = std::make_pair(frames.data(), frames.size());
    fast.frames = frames.data();
    fast.size = frames.size();
    auto cached = cache_.find(key);
    if (cached != cache_.end()) return fast.id = cached->second;
    StackInfo info;
    info.reserve(frames.size());
    for (const auto& f : frames) info.push_back(FrameInfo{std::string(f.func), std::string(f.file), f.line});
    auto [it, inserted] = ids_.try_emplace(std::move(info), static_cast<std::uint32_t>(stacks_.size()));
    if (inserted) stacks_.push_back(it->first);
    cache_.emplace(key, it->second);
    return fast.id = it->second;
  }

  struct KeyHash {
    std::size_t operator()(const std::pair<const StackFrame*, std::size_t>& k) const {
      return std::hash<const void*>()(k.first) ^ (k.second * 0x9e3779b97f4a7c15ull);
    }
  };
  static constexpr std::size_t kFastSlots = 1024;
  std::array<FastSlot, kFastSlots> fast_{};
  std::vector<StackInfo> stacks_;
  std::map<StackInfo, std::uint32_t> ids_;
  std::unordered_map<std::pair<const StackFrame*, std::size_t>, std::uint32_t, KeyHash> cache_;
};

// The name a stack gives a goroutine: its root frame's function; 0 ("") for no stack.
std::uint32_t root_name(Stack frames, NameTable& names) { return frames.empty() ? 0 : names.intern(frames.back().func); }

// What a goroutine starting to wait takes from its event, cached by the event's type and
// arguments within a generation: the reason and the stack are a function of those (and of the
// generation's tables), and blocks repeat a few of them millions of times. A hit spares working
// out their table ids, the table lookups (virtual calls) and the interning.
class WaitCache {
 public:
  struct Wait {
    std::uint32_t reason = 0;     // in the NameTable
    std::uint32_t stack = 0;      // in the StackTable
    std::uint32_t root_name = 0;  // the name the stack gives a goroutine
  };
  // Inlined by force: once per block, and a hit is a few instructions.
  [[gnu::always_inline]] Wait wait(const Event& ev, NameTable& names, StackTable& stacks) {
    Slot& slot = slots_[slot_of(ev)];
    if (slot.type != ev.type || slot.args != ev.args) fill(slot, ev, names, stacks);
    return slot.wait;
  }
  void new_generation() { slots_.fill(Slot{}); }

 private:
  struct Slot {
    EventType type = EventType::None;  // None: empty (no event has that type)
    std::array<std::uint64_t, 4> args{};
    Wait wait;
  };
  [[gnu::noinline]] static void fill(Slot& slot, const Event& ev, NameTable& names, StackTable& stacks) {  // off the hot path
    const Stack frames = ev.transition_stack();
    slot = Slot{ev.type, ev.args, Wait{names.intern(ev.transition_reason()), stacks.intern(frames), root_name(frames, names)}};
  }
  static constexpr std::size_t kSlots = 256;
  static std::size_t slot_of(const Event& ev) {
    // The first two arguments tell apart the blocks: their reason and stack.
    return static_cast<std::size_t>(((ev.args[0] * 31 + ev.args[1]) * 0x9e3779b97f4a7c15ull) >> 56) % kSlots;
  }
  std::array<Slot, kSlots> slots_{};
};

// A vector in chunks of fixed size: growing never moves the elements (references stay valid)
// nor needs room for them twice, and the chunks can be freed one by one as they are consumed.
template <class T>
class ChunkedVector {
 public:
  static constexpr std::size_t kChunkSize = 1024;
  T& operator[](std::size_t i) { return chunks_[i / kChunkSize][i % kChunkSize]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunkSize][i % kChunkSize]; }
  [[nodiscard]] std::size_t size() const { return size_; }
  T& emplace_back() {
    if (size_ % kChunkSize == 0) chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    return (*this)[size_++];
  }
  // For elements consumed in order: frees the chunk of element i once i is its last one.
  void consumed(std::size_t i) {
    if (i % kChunkSize == kChunkSize - 1 || i + 1 == size_) chunks_[i / kChunkSize].reset();
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

// Small maps from interned name to time (a goroutine's blocked time by reason, time in ranges,
// open ranges' start times), each a linked list in one shared pool: a goroutine holds only a few
// entries, and the pool spares it a heap block per map.
class TimesByName {
 public:
  using List = std::uint32_t;  // the index of the first entry; 0 for the empty map

  TimesByName() { entries_.emplace_back(); }  // entry 0 ends the lists

  // Like map::operator[]: the value of `name`, inserted as 0 if absent. Inlined by force: once
  // per goroutine unblocking.
  [[gnu::always_inline]] std::int64_t& operator()(List& list, std::uint32_t name) {
    if (std::int64_t* v = find(list, name)) return *v;
    return insert(list, name);
  }
  std::int64_t* find(List list, std::uint32_t name) {
    for (std::uint32_t i = list; i != 0; i = entries_[i].next)
      if (entries_[i].name == name) return &entries_[i].value;
    return nullptr;
  }
  void erase(List& list, std::uint32_t name) {
    for (std::uint32_t* link = &list; *link != 0; link = &entries_[*link].next) {
      const std::uint32_t i = *link;
      if (entries_[i].name == name) {
        *link = entries_[i].next;
        release(i);
        return;
      }
    }
  }
  void clear(List& list) {
    while (list != 0) {
      const std::uint32_t i = list;
      list = entries_[i].next;
      release(i);
    }
  }
  template <class F>
  void for_each(List list, F&& f) const {
    for (std::uint32_t i = list; i != 0; i = entries_[i].next) f(entries_[i].name, entries_[i].value);
  }

 private:
  struct Entry {
    std::uint32_t name = 0;
    std::uint32_t next = 0;  // the next entry of the same list; 0 at the end
    std::int64_t value = 0;
  };
  [[gnu::noinline]] std::int64_t& insert(List& list, std::uint32_t name) {  // off the hot path
    std::uint32_t i = free_;
    if (i != 0) {
      free_ = entries_[i].next;
    } else {
      i = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    entries_[i] = Entry{name, list, 0};
    list = i;
    return entries_[i].value;
  }
  void release(std::uint32_t i) {
    entries_[i].next = free_;
    free_ = i;
  }
  ChunkedVector<Entry> entries_;
  std::uint32_t free_ = 0;  // the first of the released entries, chained by `next`
};

// One goroutine while the trace is read. The `last_*` fields are Go's private goroutineSummary:
// 0 means "not in that state" (Go's convention, which the arithmetic below relies on). Kept
// compact (names, stacks and maps by small ids): a big trace holds hundreds of thousands.
struct Goroutine {
  GoId id = 0;
  Time creation = 0, start = 0, end = 0;
  Duration exec = 0, sched_wait = 0, syscall = 0, syscall_block = 0, total = 0;
  Time last_start = 0, last_runnable = 0, last_block = 0, last_syscall = 0, last_syscall_block = 0;
  Time final_time = 0;
  // While last_syscall != 0: the P it entered the syscall on. Go's syscallingG[id], which only
  // ever has an entry then (set on entering, deleted on leaving), so it can live here.
  ProcId syscall_p = 0;
  std::uint32_t name = 0;  // in State::names; 0 ("") until a transition stack names it
  std::uint32_t last_block_reason = 0, final_reason = 0;
  std::uint32_t create_stack = 0, block_stack = 0;
  TimesByName::List block_by_reason = 0, range_time = 0, last_range = 0;
  std::uint32_t latencies = 0;  // while it has no name: 1 + its index in State::unnamed_latencies
  GoState final_state = GoState::Undetermined;
  bool created = false;
  bool runnable_seen = false;  // its last transition made it runnable (not just first seen so)

  // Go's snapshotStat followed by finalize: charges the open states up to `last_ts` and clears
  // them. Running it twice is harmless, as in Go (the second pass finds nothing open).
  void finalize(Time last_ts, const Event* trigger, TimesByName& times) {
    if (trigger) end = trigger->time;
    if (total == 0) total = last_ts - creation;
    if (last_start != 0) exec += last_ts - last_start;
    if (last_runnable != 0) sched_wait += last_ts - last_runnable;
    if (last_block != 0) times(block_by_reason, last_block_reason) += last_ts - last_block;
    if (last_syscall != 0) syscall += last_ts - last_syscall;
    // Go charges a syscall that lost its P to both syscall and sched wait time until the end.
    if (last_syscall_block != 0) sched_wait += last_ts - last_syscall_block;
    times.for_each(last_range, [&](std::uint32_t range, Time ts) { times(range_time, range) += last_ts - ts; });
    last_start = last_runnable = last_block = last_syscall = last_syscall_block = 0;
    last_block_reason = 0;
    times.clear(last_range);
  }
};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The analysis while the events stream in. In this file only (internal linkage), so that the
// compiler may inline its per-event steps into on_event().
struct Analysis {
  LeakOptions leak_options;
  NameTable names;
  StackTable stacks;
  WaitCache wait_cache;
  // Scheduling latencies of named goroutines, by name (their group): counted as they happen,
  // so memory does not grow with the trace.
  std::vector<LatencyHistogram> latencies_by_name;
  // Latencies of goroutines without a name yet (Goroutine::latencies): append_latency() encoding.
  std::vector<std::string> unnamed_latencies;
  // Chunked: growing never copies the records, so a trace with a million goroutines never
  // needs room for them twice.
  ChunkedVector<Goroutine> goroutines;
  // id → record: the records never move. A pointer rather than an index, so that the lookup
  // per event does not go through the chunks.
  IdMap<Goroutine*> index;
  TimesByName times;           // the goroutines' maps
  // A P and the goroutine in a syscall on it, to see the P being taken away (syscall block).
  IdMap<GoId> syscalling_p;
  // P-scoped ranges attributed to the goroutine that was running when they began.
  std::map<std::pair<ProcId, std::uint32_t>, GoId> ranges_p;
  std::uint32_t forever = 0;  // the name id of the reason "forever"
  Time last_ts = 0, sync_ts = 0;
  std::uint64_t events = 0;
  std::uint64_t gomaxprocs = 0;
  Time first = 0;
  GcSummary gc;
  bool stw_open = false;
  Time stw_begin = 0;
  std::string stw_kind;

  // Not inlined by force: that would copy the call to IdMap::find into every transition, where
  // the compiler no longer inlines it; left alone, it inlines that call here, then all of this.
  Goroutine* find(GoId id) {
    const auto* i = index.find(id);
    return i == nullptr ? nullptr : i->second;
  }
  // A goroutine appearing (created, or first seen): a fresh record, replacing any earlier one
  // with the same id as Go's map assignment does.
  Goroutine& appear(GoId id, Time creation) {
    auto [i, inserted] = index.emplace(id);
    if (inserted) {
      i->second = &goroutines.emplace_back();
    } else {
      Goroutine& old = *i->second;
      times.clear(old.block_by_reason);
      times.clear(old.range_time);
      times.clear(old.last_range);
      if (old.latencies != 0) unnamed_latencies[old.latencies - 1] = std::string();
      old = Goroutine{};
    }
    Goroutine& g = *i->second;
    g.id = id;
    g.creation = creation;
    return g;
  }

  void on_event(const Event& ev);
  // One goroutine's transition, as Go's summary.go handles it: a copy for each of the busiest
  // event types, with its states known at compile time, and one for the rest.
  [[gnu::always_inline]] inline void transition(const Event& ev, GoId id, GoState from, GoState to);
  template <EventType T>
  void fixed_transition(const Event& ev);
  [[gnu::noinline]] void any_transition(const Event& ev, GoId id, GoState from, GoState to);
  void on_proc(const Event& ev, const StateChange& st);
  void on_range(const Event& ev);
  void close_stw(Time end);
};

}  // namespace

struct Summarizer::State : Analysis {};

Summarizer::Summarizer(LeakOptions leak_options) : state_(std::make_unique<State>()) {
  state_->leak_options = std::move(leak_options);
  state_->names.intern("");  // id 0 is the empty reason
  state_->forever = state_->names.intern("forever");
}
Summarizer::~Summarizer() = default;

void Summarizer::on_events(std::span<const Event> events) {
  if (events.empty()) return;
  State& s = *state_;
  // Counted per batch: the per-event path does not need them.
  if (s.events == 0) s.first = events.front().time;
  s.events += events.size();
  s.last_ts = events.back().time;
  for (const Event& ev : events) s.on_event(ev);
}

void Analysis::on_event(const Event& ev) {
  if (sync_ts == 0) sync_ts = ev.time;
  // Nearly every event is one of these; each makes its one goroutine transition whatever its
  // arguments, so its copy of transition() has the states known at compile time.
  using E = EventType;
  switch (ev.type) {
    case E::GoStart: return fixed_transition<E::GoStart>(ev);
    case E::GoStop: return fixed_transition<E::GoStop>(ev);
    case E::GoBlock: return fixed_transition<E::GoBlock>(ev);
    case E::GoUnblock: return fixed_transition<E::GoUnblock>(ev);
    case E::GoSyscallBegin: return fixed_transition<E::GoSyscallBegin>(ev);
    case E::GoSyscallEnd: return fixed_transition<E::GoSyscallEnd>(ev);
    case E::GoSyscallEndBlocked: return fixed_transition<E::GoSyscallEndBlocked>(ev);
    default: break;
  }
  switch (ev.kind()) {
    case EventKind::Sync:
      sync_ts = ev.time;
      names.new_generation();
      stacks.new_generation();
      wait_cache.new_generation();
      break;
    case EventKind::StateTransition: [[likely]] {  // nearly every event
      const StateChange st = ev.state_change();
      if (st.kind == ResourceKind::Goroutine) {
        any_transition(ev, st.id, st.go_from, st.go_to);
      } else if (st.kind == ResourceKind::Proc) {
        on_proc(ev, st);
      }
      break;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive:
    case EventKind::RangeEnd:
      on_range(ev);
      break;
    case EventKind::Metric:
      if (ev.type == EventType::ProcsChange) gomaxprocs = ev.metric().value;
      break;
    default:
      break;
  }
}

void Analysis::transition(const Event& ev, GoId id, GoState from, GoState to) {
  if (from == to) return;  // tells nothing new
  const Time t = ev.time;
  // The reason counts only for a goroutine starting to wait, and its stack as the one it waits in.
  const bool waits = to == GoState::Waiting;
  const WaitCache::Wait wait = waits ? wait_cache.wait(ev, names, stacks) : WaitCache::Wait{};
  const std::uint32_t wait_reason = wait.reason;
  Goroutine* g = find(id);
  // When it became runnable, if that was seen (0: not seen): the start of a scheduling latency.
  const Time runnable_since = g != nullptr && g->runnable_seen ? g->last_runnable : 0;

  // Transition out of the old state.
  switch (from) {
    case GoState::Undetermined: {
      // First seen in `to`: it has been there since the last sync.
      g = &appear(id, sync_ts);
      const Duration since_sync = t - sync_ts;
      switch (to) {
        case GoState::Running: g->exec += since_sync; break;
        case GoState::Waiting: times(g->block_by_reason, wait_reason) += since_sync; break;
        case GoState::Runnable: g->sched_wait += since_sync; break;
        case GoState::Syscall:
          // With a P it has had that P since the start: syscall time; without, blocked.
          if (ev.p == kNoProc) {
            g->syscall_block += since_sync;
          } else {
            g->syscall += since_sync;
          }
          break;
        default: break;
      }
      break;
    }
    case GoState::NotExist:
      g = &appear(id, t);
      g->created = true;
      g->create_stack = stacks.intern(ev.stack());
      break;
    default:
      // A validated order never changes a goroutine it has not seen; be safe anyway.
      if (!g) g = &appear(id, sync_ts);
      if (from == GoState::Running) {
        g->exec += t - g->last_start;
        g->last_start = 0;
      } else if (from == GoState::Waiting) {
        if (g->last_block != 0) {
          times(g->block_by_reason, g->last_block_reason) += t - g->last_block;
          g->last_block = 0;
        }
      } else if (from == GoState::Runnable) {
        if (g->last_runnable != 0) {
          g->sched_wait += t - g->last_runnable;
          g->last_runnable = 0;
        }
      } else if (from == GoState::Syscall) {
        if (g->last_syscall != 0) {
          if (g->last_syscall_block != 0) {
            g->syscall_block += t - g->last_syscall_block;
            g->syscall += g->last_syscall_block - g->last_syscall;
          } else {
            g->syscall += t - g->last_syscall;
          }
          g->last_syscall = 0;
          g->last_syscall_block = 0;
          syscalling_p.erase(g->syscall_p);
        }
      }
      break;
  }

  // The transition's stack counts for the name, until there is one (the first transition stack
  // there is names it), and as the stack a goroutine waits in.
  if (waits) {
    if (g->name == 0) g->name = wait.root_name;
    g->block_stack = wait.stack;
  } else if (g->name == 0) {
    g->name = root_name(ev.transition_stack(), names);
  }

  // Facts for groups, latencies and leaks.
  if (from == GoState::Runnable && to == GoState::Running && runnable_since != 0) {
    const Duration latency = t - runnable_since;
    if (g->name == 0) {
      if (g->latencies == 0) {
        unnamed_latencies.emplace_back();
        g->latencies = static_cast<std::uint32_t>(unnamed_latencies.size());
      }
      append_latency(unnamed_latencies[g->latencies - 1], latency);
    } else {
      if (g->name >= latencies_by_name.size()) latencies_by_name.resize(g->name + 1);
      latencies_by_name[g->name].add(latency);
    }
  }
  g->final_state = to;
  g->final_time = t;
  g->final_reason = wait_reason;

  // Transition into the new state.
  g->runnable_seen = false;
  switch (to) {
    case GoState::Running:
      g->last_start = t;
      if (g->start == 0) g->start = t;
      break;
    case GoState::Runnable:
      g->last_runnable = t;
      g->runnable_seen = from != GoState::Undetermined;
      break;
    case GoState::Waiting:
      if (wait_reason != forever) {
        g->last_block = t;
        g->last_block_reason = wait_reason;
        break;
      }
      // Blocked forever is treated like the goroutine's end.
      g->finalize(t, &ev, times);
      break;
    case GoState::NotExist:
      g->finalize(t, &ev, times);
      break;
    case GoState::Syscall:
      syscalling_p[ev.p] = id;
      g->syscall_p = ev.p;
      g->last_syscall = t;
      break;
    default:
      break;
  }
}

void Analysis::any_transition(const Event& ev, GoId id, GoState from, GoState to) { transition(ev, id, from, to); }

template <EventType T>
void Analysis::fixed_transition(const Event& ev) {
  constexpr detail::FixedChange f = detail::kFixedChanges[static_cast<std::size_t>(T)];
  static_assert(f.change.kind == ResourceKind::Goroutine);
  transition(ev, ev.change_id(f.id_from), f.change.go_from, f.change.go_to);
}

void Analysis::on_proc(const Event& ev, const StateChange& st) {
  // A P going idle while its goroutine is in a syscall: the syscall now blocks without a P.
  if (st.proc_from == st.proc_to || st.proc_to != ProcState::Idle) return;
  auto* entry = syscalling_p.find(st.id);
  if (entry == nullptr) return;
  if (Goroutine* g = find(entry->second)) g->last_syscall_block = ev.time;
  syscalling_p.erase(entry);
}

void Analysis::close_stw(Time end) {
  const Duration d = end - stw_begin;
  StwKind& k = gc.stw_by_kind[stw_kind];
  k.total += d;
  k.max = std::max(k.max, d);
  gc.stw_total += d;
  gc.stw_max = std::max(gc.stw_max, d);
  stw_open = false;
}

void Analysis::on_range(const Event& ev) {
  const Range r = ev.range();
  const EventKind kind = ev.kind();
  constexpr std::string_view kStw = "stop-the-world (";
  if (kind == EventKind::RangeBegin) {
    if (r.name == "GC concurrent mark phase") gc.cycles++;
    if (starts_with(r.name, kStw)) {
      if (stw_open) close_stw(ev.time);
      stw_open = true;
      stw_begin = ev.time;
      stw_kind = std::string(r.name.substr(kStw.size(), r.name.size() - kStw.size() - 1));
      gc.stw_count++;
      gc.stw_by_kind[stw_kind].count++;
    }
  } else if (kind == EventKind::RangeEnd && stw_open && starts_with(r.name, kStw)) {
    close_stw(ev.time);
  }

  const std::uint32_t name = names.intern(r.name);
  Goroutine* g = nullptr;
  if (kind == EventKind::RangeEnd) {
    if (r.scope.kind == ResourceKind::Goroutine) {
      g = find(r.scope.id);
    } else if (r.scope.kind == ResourceKind::Proc) {
      auto it = ranges_p.find({r.scope.id, name});
      if (it != ranges_p.end()) {
        // Charged to the goroutine only if it ends on the goroutine it began on.
        if (it->second == ev.g) g = find(it->second);
        ranges_p.erase(it);
      }
    }
    if (!g) return;
    const Time* ts = times.find(g->last_range, name);
    if (!ts || *ts == 0) return;
    times(g->range_time, name) += ev.time - *ts;
    times.erase(g->last_range, name);
    return;
  }
  if (r.scope.kind == ResourceKind::Goroutine) {
    g = find(r.scope.id);
  } else if (r.scope.kind == ResourceKind::Proc) {
    // Bound to the P, but charged to the goroutine running when it began (Go's best effort).
    g = find(ev.g);
    if (g) ranges_p[{r.scope.id, name}] = ev.g;
  }
  if (!g) return;
  if (kind == EventKind::RangeActive) {
    Time& ts = times(g->last_range, name);
    if (ts != 0) times(g->range_time, name) += sync_ts - ts;
    ts = sync_ts;
  } else {
    times(g->last_range, name) = ev.time;
  }
}

Summary Summarizer::finish(Version version, std::vector<std::string> warnings) {
  State& s = *state_;
  if (s.stw_open) s.close_stw(s.last_ts);
  Summary out;
  out.version = version;
  out.events = s.events;
  out.first = s.first;
  out.last = s.last_ts;
  out.warnings = std::move(warnings);
  out.gc = s.gc;
  out.gomaxprocs = s.gomaxprocs;

  const LeakFilter leaks(s.leak_options);

  struct GroupAcc {
    GroupSummary summary;
    std::vector<Duration> execs, totals;
    LatencyHistogram latencies;  // of goroutines that had no name yet
    std::uint32_t name_id = 0;
  };
  std::map<std::string, GroupAcc> groups;
  LatencyHistogram all_latencies;
  s.index = {};  // no more lookups by id: free it before the summaries take memory
  // Records are taken in the order they appeared and freed as their summaries are made, so the
  // two never take memory side by side; summaries are sorted by id afterwards.
  out.goroutines.reserve(s.goroutines.size());
  for (std::size_t i = 0; i < s.goroutines.size(); s.goroutines.consumed(i++)) {
    Goroutine& g = s.goroutines[i];
    g.finalize(s.last_ts, nullptr, s.times);
    GoroutineSummary gs;
    gs.id = g.id;
    gs.name = s.names.name(g.name);
    gs.creation = g.creation;
    gs.start = g.start;
    gs.end = g.end;
    gs.exec = g.exec;
    gs.sched_wait = g.sched_wait;
    gs.syscall = g.syscall;
    gs.syscall_block = g.syscall_block;
    gs.total = g.total;
    s.times.for_each(g.block_by_reason, [&](std::uint32_t reason, Duration d) { gs.block_by_reason[s.names.name(reason)] += d; });
    s.times.for_each(g.range_time, [&](std::uint32_t range, Duration d) { gs.range_time[s.names.name(range)] += d; });
    gs.final_state = g.final_state;
    gs.final_reason = s.names.name(g.final_reason);
    gs.final_time = g.final_time;
    gs.created = g.created;
    gs.create_stack = g.create_stack;
    gs.block_stack = g.block_stack;

    GroupAcc& acc = groups[gs.name];
    acc.summary.name = gs.name;
    acc.name_id = g.name;
    acc.summary.count++;
    acc.summary.exec += gs.exec;
    acc.summary.sched_wait += gs.sched_wait;
    acc.summary.block += gs.block();
    acc.summary.syscall += gs.syscall;
    acc.summary.syscall_block += gs.syscall_block;
    acc.summary.gc += gs.gc();
    acc.summary.unknown += gs.unknown();
    acc.summary.total += gs.total;
    acc.execs.push_back(gs.exec);
    acc.totals.push_back(gs.total);
    if (g.latencies != 0) {
      for_each_latency(s.unnamed_latencies[g.latencies - 1], [&acc](Duration d) { acc.latencies.add(d); });
    }

    if (leaks.is_candidate(gs, s.last_ts)) {
      out.leak_candidates.push_back(LeakCandidate{gs.id, gs.name, gs.final_reason, s.last_ts - gs.final_time, gs.create_stack, gs.block_stack});
    }
    out.goroutines.push_back(std::move(gs));
  }
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::sort(out.goroutines.begin(), out.goroutines.end(), by_id);
  std::sort(out.leak_candidates.begin(), out.leak_candidates.end(), by_id);

  for (auto& [name, acc] : groups) {
    auto min_median_max = [](std::vector<Duration>& v, Duration& lo, Duration& med, Duration& hi) {
      std::sort(v.begin(), v.end());
      lo = v.front();
      med = v[(v.size() - 1) / 2];
      hi = v.back();
    };
    min_median_max(acc.execs, acc.summary.exec_min, acc.summary.exec_median, acc.summary.exec_max);
    min_median_max(acc.totals, acc.summary.total_min, acc.summary.total_median, acc.summary.total_max);
    if (acc.name_id < s.latencies_by_name.size()) acc.latencies.merge(s.latencies_by_name[acc.name_id]);
    acc.summary.sched_latency = acc.latencies.stats();
    all_latencies.merge(acc.latencies);
    out.groups.push_back(std::move(acc.summary));
  }
  out.sched_latency = all_latencies.stats();

  out.leak_groups = group_leaks(out.leak_candidates);
  out.stacks = s.stacks.take();
  return out;
}

}  // namespace gtanalyze::analysis
