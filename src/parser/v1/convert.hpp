// Old events → the Go 1.22+ event model, as Go 1.26's tracev1.go converts them. The whole old
// trace is one generation with one table of strings and stacks.
//
// The translations that are not one-to-one (all from Go):
//  - Events before the first Gomaxprocs describe goroutines that existed when tracing started:
//    GoCreate/GoStart/GoWaiting/GoInSyscall become GoStatus events; goroutines only created
//    there get a GoStatus(Runnable) at the first Gomaxprocs, which itself is dropped.
//  - GoSysCall becomes GoSyscallBegin when the goroutine's next event is GoSysBlock (that one
//    is dropped and the later GoSysExit ends the syscall, blocked), else a 1 ns
//    GoSyscallBegin/GoSyscallEnd pair.
//  - The first ProcStart/ProcStop of a P becomes a ProcStatus.
//  - Block/stop reasons and STW kinds become strings appended to the table; UserLog messages,
//    inline in old traces, get string ids too; UserTaskEnd carries its task's parent and type
//    (as an extra string) in its spare arguments; STW events carry their range name
//    "stop-the-world (REASON)" as an extra string in the last argument (Event::range() reads it).
//  - A time not after the previous event's becomes previous + 1 ns.
// Deliberate differences: where Go iterates a map (goroutines getting GoStatus at the first
// Gomaxprocs), we go by goroutine id ascending; FutileWakeup (never written since Go 1.11, an
// error in Go 1.26) is dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gtanalyze/event.hpp"
#include "parser/event_extras.hpp"
#include "parser/v1/parser.hpp"

namespace gtanalyze::parser::v1 {

// Strings and stacks of the converted trace: the trace's strings by their ids, then the UserLog
// messages, then the converter's fixed strings (Go's numbering, so ids agree with Go's).
class V1Tables final : public EventTables {
 public:
  explicit V1Tables(const OldTrace& trace);
  std::string_view string(std::uint64_t id) const override;
  Stack stack(std::uint64_t id) const override;
  std::string_view extra_string(std::uint64_t id) const override;

  std::uint64_t inline_id(std::uint64_t index) const { return max_id_ + 1 + index; }
  std::uint64_t builtin_id(unsigned which) const { return max_id_ + 1 + inline_count_ + which; }
  // Go's addExtraString: 0 for "", one id per distinct string.
  std::uint64_t add_extra_string(std::string_view s);
  // The extra string "stop-the-world (REASON)" Event::range() reads for builtin `which`.
  std::uint64_t stw_range_name(unsigned which);
  // Frames (of all stacks, counted per stack) that name their function or file by a string id
  // the trace does not define: damage, shown as an empty name.
  std::uint64_t frames_without_strings() const { return frames_without_strings_; }

 private:
  const OldTrace& trace_;
  std::uint64_t max_id_ = 0;
  std::uint64_t inline_count_ = 0;
  std::uint64_t frames_without_strings_ = 0;
  std::vector<StackFrame> frames_;
  base::IdMap<std::pair<std::uint32_t, std::uint32_t>> stacks_;  // id → (first, size) in frames_
  // Added to while a consumer on another thread (read_ahead) looks up earlier ones: extra_ is
  // guarded by extra_mutex_ (both are rare); extra_ids_ is the converter's thread's alone.
  std::vector<std::string_view> extra_;
  mutable std::mutex extra_mutex_;
  std::unordered_map<std::string_view, std::uint64_t> extra_ids_;
  std::deque<std::string> owned_;  // composed extra strings (stable addresses)
};

// What a first, checking pass over the final order (v1_reader.cpp) learned for the converter's.
struct CheckedOrder {
  std::vector<bool> blocked;  // [i]: the i-th event is a GoSysCall whose goroutine's next event is GoSysBlock
  std::vector<bool> netpoll;  // [i]: the i-th event is a GoUnblock moved to the netpoll P
};

class V1Converter {
 public:
  V1Converter(const OldTrace& trace, CheckedOrder checked);

  // The next converted event (time already made strictly increasing); false at the end.
  Result<bool> next(Event& out);
  const V1Tables& tables() const { return tables_; }
  Time last_time() const { return last_ts_; }
  // The first old event's time, if there is one (Go's Sync event goes 1 ns before it).
  Result<bool> peek_first(Time& ts);
  // Whether the start-of-trace block's end was cut off (and taken to be where its events stop).
  bool start_block_cut() const { return start_block_cut_; }

 private:
  enum class Outcome : std::uint8_t { Emit, Skip };
  Outcome convert(const OldEvent& ev, bool blocked, Event& out);
  // Fills `e` field by field: building an Event and copying it stalled on store forwarding.
  void make(Event& e, EventType type, Time t, GoId g, ProcId p, ThreadId m,
            const std::array<std::uint64_t, 4>& args) const;
  ThreadId proc_m_or_zero(std::int32_t p) const;

  // convert()'s pieces, inline (defined in convert.cpp) as convert() runs once per event; emit()
  // and proc_transition() forced, as GCC kept them out of line.
  // Finds the M, fills `out` and places the stack id: the common end of every 1:1 translation.
  [[gnu::always_inline]] inline Outcome emit(const OldEvent& ev, EventType type, const EventArgs& args, Event& out);
  // The first Gomaxprocs: GoStatus(Runnable) for the goroutines only created before it.
  inline void end_pre_init(Time t);
  // Whether `ev` may belong to the start-of-trace block (checked in a cut trace only).
  bool in_start_block(const OldEvent& ev);
  // GoStatus arguments for a goroutine that existed when tracing started.
  inline EventArgs status_at_trace_start(std::uint64_t gid, WireGoStatus status);
  // A P's first ProcStart/ProcStop becomes a ProcStatus, later ones `later`; sets `args`.
  [[gnu::always_inline]] inline EventType proc_transition(std::int32_t p, WireProcStatus first_status, EventType later,
                                                          EventArgs& args);
  inline EventArgs stw_args(unsigned which);                            // reason and range name of builtin `which`
  inline Outcome emit_labelled_start(const OldEvent& ev, Event& out);   // GoStart + GoLabel
  inline Outcome emit_instant_syscall(const OldEvent& ev, Event& out);  // GoSyscallBegin + End
  inline EventArgs begin_task(const OldEvent& ev);
  inline EventArgs end_task(const OldEvent& ev);

  const OldTrace& trace_;
  V1Tables tables_;
  CheckedOrder checked_;
  OldTrace::Replay replay_;  // reads checked_.netpoll
  bool have_peeked_ = false;
  const OldEvent* peeked_ = nullptr;  // from replay_, valid until its next call

  bool pre_init_ = true;
  // A cut trace's start-of-trace block may have lost its end (see in_start_block).
  static constexpr std::int32_t kNoStartBlockP = INT32_MIN;
  std::int32_t start_block_p_ = kNoStartBlockP;
  bool start_block_started_ = false;  // its GoStart seen
  bool start_block_cut_ = false;      // ended by in_start_block, not by a Gomaxprocs
  std::set<std::uint64_t> created_pre_init_;
  std::vector<Event> extra_;
  std::size_t extra_pos_ = 0;
  struct TaskState {
    std::string_view name;
    std::uint64_t parent = 0;
  };
  std::unordered_map<std::uint64_t, TaskState> tasks_;
  base::IdMap<bool> seen_procs_;   // by p_key()
  base::IdMap<ThreadId> proc_ms_;  // by p_key()
  unsigned last_stw_reason_ = 12;  // builtin index; before any STW the empty reason, as Go's id 0
  Time last_ts_ = -1;
};

}  // namespace gtanalyze::parser::v1
