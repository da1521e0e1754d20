// Go's postProcessTrace for old traces: checks the ordered stream is consistent (a P runs one G,
// a G is blocked before it is unblocked…) and restores facts later stages read (fake Ps).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/id_map.hpp"
#include "gtanalyze/error.hpp"
#include "parser/v1/events.hpp"

namespace gtanalyze::parser::v1 {

class OldTrace;
enum class Dialect : std::uint8_t;

class PostProcessor {
 public:
  PostProcessor(const OldTrace& trace);
  // Checks and updates one event of the final order; `index` is its position (for messages).
  Status apply(OldEvent& ev, std::uint64_t index);
  // apply()'s rewrites alone, for a later pass over events apply() accepted; `to_netpoll`: apply()
  // moved this GoUnblock to the netpoll P (which needs the state of every goroutine to know).
  void rewrite(OldEvent& ev, bool to_netpoll);
  std::uint64_t missing_stacks() const { return missing_stacks_; }
  std::uint64_t first_missing_stack_offset() const { return first_missing_offset_; }

 private:
  // The last rewrite of both passes: a stack id with no frames becomes 0 (in Go 1.26's dialect).
  void drop_empty_stack(OldEvent& ev) const;
  struct G {
    std::uint8_t state = 0;        // dead, runnable, running, waiting
    OldType last = OldType::None;  // the event that last changed the state (Go's g.ev)
    bool has_create = false;       // created in the trace and not started yet
    bool mark_assist = false;
    std::uint32_t create_stack = 0;
  };
  struct P {
    bool running = false;
    bool sweep = false;
    bool stw = false;  // per-P STW before Go 1.10 (Go 1.19 dialect)
    std::uint64_t g = 0;
  };
  struct Region {
    std::uint64_t task = 0;
    std::uint64_t type = 0;
  };

  // Go's switch in postProcessTrace: `g` and `p` are apply()'s copies of the event's goroutine
  // and P; `put_g`/`put_p` say which copies apply() writes back. It calls one handler per event
  // kind (or pair of kinds), which fails on an event its state forbids, else updates that state.
  // All inline (defined in postprocess.cpp), apply_by_kind forced (GCC kept it out of line):
  // apply() runs once per event and the calls cost 2% of a whole v1 run.
  [[gnu::always_inline]] inline Status apply_by_kind(OldEvent& ev, std::uint64_t index, G& g, P& p, bool& put_g,
                                                     bool& put_p);
  inline Status start_proc(const OldEvent& ev, std::uint64_t index, P& p);
  inline Status stop_proc(const OldEvent& ev, std::uint64_t index, P& p);
  inline Status begin_gc(OldEvent& ev, std::uint64_t index);
  inline Status end_gc(const OldEvent& ev, std::uint64_t index);
  inline Status begin_or_end_stw(const OldEvent& ev, std::uint64_t index, P& p);
  inline Status begin_sweep(const OldEvent& ev, std::uint64_t index, P& p);
  inline Status end_sweep(const OldEvent& ev, std::uint64_t index, P& p);
  inline Status begin_mark_assist(const OldEvent& ev, std::uint64_t index, G& g);
  inline Status wait_since_trace_start(const OldEvent& ev, std::uint64_t index, G& g);  // GoWaiting, GoInSyscall
  inline Status create_goroutine(const OldEvent& ev, std::uint64_t index, const G& g, const P& p);
  inline Status start_goroutine(OldEvent& ev, std::uint64_t index, G& g, P& p);
  inline Status end_or_stop_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p);
  inline Status yield_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p);  // GoSched, GoPreempt
  inline Status block_goroutine(const OldEvent& ev, std::uint64_t index, G& g, P& p);
  inline Status unblock_goroutine(OldEvent& ev, std::uint64_t index, G& g, const P& p);
  inline Status enter_syscall(const OldEvent& ev, std::uint64_t index, G& g, const P& p);
  inline Status block_in_syscall(const OldEvent& ev, std::uint64_t index, G& g, P& p);
  inline Status exit_syscall(const OldEvent& ev, std::uint64_t index, G& g);
  inline Status create_task(const OldEvent& ev, std::uint64_t index);
  inline Status begin_or_end_region(const OldEvent& ev, std::uint64_t index);
  inline bool stw_is_per_p() const;
  inline void count_missing_stacks(const OldEvent& ev);

  Status check_running(const P& p, const G& g, const OldEvent& ev, bool allow_g0, std::uint64_t index) const;
  // The error for a rejected event, with its place in time order.
  template <class... Args>
  static Error fail(const OldEvent& ev, std::uint64_t index, fmt::format_string<Args...> format, Args&&... args) {
    return make_error(
        ErrorCode::Corrupt, ev.offset,
        fmt::format("{} (event {} in time order)", fmt::format(format, std::forward<Args>(args)...), index));
  }

  const OldTrace& trace_;
  base::IdMap<G> gs_;  // by goroutine id (as int64: a bijection)
  base::IdMap<P> ps_;  // by p_key()
  std::unordered_set<std::uint64_t> tasks_;
  std::unordered_map<std::uint64_t, std::vector<Region>> regions_;
  base::IdMap<std::uint32_t> create_stacks_;  // rewrite(): goroutines created and not started yet
  bool gc_ = false;
  bool stw_ = false;
  std::uint64_t missing_stacks_ = 0;
  std::uint64_t first_missing_offset_ = 0;
};

}  // namespace gtanalyze::parser::v1
