// The result of the goroutine analysis: plain data, computed once by the Summarizer and then only
// rendered (text, JSON) or compared (diff). Times are nanoseconds of the trace clock; durations
// are nanoseconds. Definitions follow Go 1.26's internal/trace summariser exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/flat_map.hpp>

#include "gtanalyze/ids.hpp"
#include "gtanalyze/stacks.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze {

using Duration = std::int64_t;

// Durations by name, in name order. Flat (a sorted vector): a few entries each, and a big trace
// holds hundreds of thousands of them in its regions' stats, where tree nodes cost 3x the memory.
using DurationsByName = boost::container::flat_map<std::string, Duration, std::less<>>;

// Go's GoroutineExecStats: where a goroutine's time went, over its life or over a region.
struct ExecStats {
  Duration exec = 0, sched_wait = 0, syscall = 0, syscall_block = 0, total = 0;
  DurationsByName block_by_reason;  // may hold zero entries; renderers drop them
  DurationsByName range_time;       // "GC mark assist", "stop-the-world (…)", …

  Duration block() const;    // the sum of block_by_reason
  Duration gc() const;       // the sum of range_time entries whose name starts with "GC"
  Duration unknown() const;  // total minus the non-overlapping times, as Go's UnknownTime
};

// A user region on one goroutine (Go's UserRegionSummary), its stats over the region's span.
// A region with an empty name and a start is Go's synthetic region: the goroutine was created
// inside a region of its creator, and inherits that region's task.
struct RegionSummary : ExecStats {
  std::string name;
  TaskId task = 0;
  // Absolute times of its start and end events, when the trace has them. The end may be the
  // goroutine's end (Go closes its open regions then); the start, the goroutine's creation.
  std::optional<Time> start, end;

  bool complete() const { return start && end; }
  // Go's region interval (cmd/trace): a missing start is the trace's first event, a missing end
  // its last.
  Duration duration(Time first, Time last) const { return end.value_or(last) - start.value_or(first); }
};

struct GoroutineSummary : ExecStats {
  GoId id = 0;
  std::string name;  // the root frame of the first transition stack that has one, else ""
  // Absolute trace times; 0 means "none" as in Go (never started, never ended).
  Time creation = 0, start = 0, end = 0;
  // The new state of the goroutine's last state change, and its reason when waiting.
  GoState final_state = GoState::Undetermined;
  std::string final_reason;
  Time final_time = 0;
  bool created = false;                // its creation is in the trace (not just first seen)
  std::uint32_t create_stack = 0;      // index into Summary::stacks (0: none)
  std::uint32_t block_stack = 0;       // stack of the last transition into waiting (0: none)
  std::vector<RegionSummary> regions;  // Go's GoroutineSummary.Regions, in its order (by start)
};

struct LogEntry {
  Time time = 0;
  GoId goroutine = kNoGoroutine;
  std::string category, message;
};

// A user task (Go's UserTaskSummary). A task exists from its first mention: its begin or end, a
// region or log in it, or a child naming it as parent. Task 0 is Go's background task.
struct TaskSummary {
  TaskId id = 0;
  std::string name;                // from its begin or end event; "" when neither names it
  TaskId parent = 0;               // 0: none known
  std::optional<Time> start, end;  // absolute times of its begin and end events
  std::vector<GoId> goroutines;    // ascending: those that began, ended, logged or had a region in it
  std::uint64_t regions = 0;       // regions that began in it (or ended, when their begin is missing)
  std::vector<LogEntry> logs;      // in trace order

  bool complete() const { return start && end; }
  // Go's task interval (cmd/trace): a missing begin is the trace's first event, a missing end its last.
  Duration duration(Time first, Time last) const { return end.value_or(last) - start.value_or(first); }
};

// Regions or tasks of one name: how many, how many complete, and the percentiles of the
// complete ones' durations (nearest rank, as LatencyStats; all 0 when none is complete).
struct SpanStats {
  std::uint64_t count = 0, complete = 0;
  Duration p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// Percentiles by nearest rank over the samples (zero when there are none).
struct LatencyStats {
  std::uint64_t count = 0;
  Duration p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// Goroutines grouped by start function (name).
struct GroupSummary {
  std::string name;
  std::uint64_t count = 0;
  Duration exec = 0, sched_wait = 0, block = 0, syscall = 0, syscall_block = 0, gc = 0, unknown = 0, total = 0;
  Duration exec_min = 0, exec_median = 0, exec_max = 0;  // median: the lower one
  Duration total_min = 0, total_median = 0, total_max = 0;
  LatencyStats sched_latency;
};

// Where the proof that leak candidates leaked came from (--leak-proof): none, Go 1.26's
// goroutineleak profile of the same run, or a capture of it that saw the GC mark goroutines leaked.
enum class LeakProof : std::uint8_t { None, Profile, Capture };

inline const char* leak_proof_name(LeakProof p) {
  switch (p) {
    case LeakProof::None: return "none";
    case LeakProof::Profile: return "profile";
    case LeakProof::Capture: return "capture";
  }
  return "?";
}

struct LeakCandidate {
  GoId id = 0;
  std::string name;
  std::string reason;
  Duration blocked = 0;  // trace end minus the time it blocked
  std::uint32_t create_stack = 0, block_stack = 0;
  // true: the GC proved it leaked; false: a proof was given and does not name it; none: no
  // proof was given, or the proof cannot tell it from others with its block stack.
  std::optional<bool> proven;
};

// A profile that lists k goroutines at a block stack shared by n > k candidates proves k of
// them leaked, but not which.
struct UndecidedProof {
  std::uint64_t proven = 0, of = 0;
  bool operator==(const UndecidedProof&) const = default;
};

// Leak candidates with the same reason, creation stack and block stack.
struct LeakGroup {
  std::string name;
  std::string reason;
  std::uint64_t count = 0;
  Duration min_blocked = 0, max_blocked = 0;
  std::vector<GoId> ids;  // ascending
  std::uint32_t create_stack = 0, block_stack = 0;
  // How many of its goroutines the proof proves leaked (none: no proof given, or the proof's
  // count covers candidates of other groups too). A group whose goroutines are undecided has
  // `undecided`: the proof's k of the n candidates at its block stack.
  std::optional<std::uint64_t> proven;
  std::optional<UndecidedProof> undecided;
};

struct StwKind {
  std::uint64_t count = 0;
  Duration total = 0, max = 0;
};

struct GcSummary {
  std::uint64_t cycles = 0;  // GC begin events (a cycle running at trace start is not counted)
  std::uint64_t stw_count = 0;
  Duration stw_total = 0, stw_max = 0;  // an open stop-the-world is closed at the last event
  std::map<std::string, StwKind> stw_by_kind;
};

struct Summary {
  Version version = Version::Go1_26;
  std::uint64_t events = 0;
  Time first = 0, last = 0;      // times of the first and last event
  std::uint64_t gomaxprocs = 0;  // the last GOMAXPROCS the trace reported (0: none)
  std::vector<std::string> warnings;
  std::vector<GoroutineSummary> goroutines;  // ascending id
  // Goroutines handed to a GoroutineSink instead of kept in `goroutines` (analysis/summarizer.hpp).
  std::uint64_t goroutines_streamed = 0;
  std::vector<GroupSummary> groups;            // ascending name
  std::vector<LeakCandidate> leak_candidates;  // ascending id
  std::vector<LeakGroup> leak_groups;          // most count × min_blocked first
  LeakProof leak_proof = LeakProof::None;      // what proved which candidates leaked
  LatencyStats sched_latency;
  GcSummary gc;
  StackTable stacks;               // interned stacks; [0] is the empty stack
  std::vector<TaskSummary> tasks;  // ascending id
  // By name; nameless regions and tasks (synthetic regions, task 0) are not counted.
  std::map<std::string, SpanStats> region_stats, task_stats;

  // The goroutines the trace had, kept or streamed.
  [[nodiscard]] std::uint64_t goroutine_count() const { return goroutines.size() + goroutines_streamed; }
};

// Which goroutines may be leak candidates.
struct LeakOptions {
  // Start functions matching any of these (ECMAScript regexes, searched) are never candidates.
  // The default: the runtime's and the tracer's own goroutines.
  std::vector<std::string> ignore = {"^runtime\\.", "^runtime/trace\\."};
  Duration min_blocked = 0;  // candidates blocked for less are dropped
};

}  // namespace gtanalyze
