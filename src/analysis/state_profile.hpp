// The time goroutines spent in one state, by the stack that put them there: the intervals behind
// Go 1.26's `go tool trace -pprof=net|sync|syscall|sched` (cmd/trace/pprof.go), one sample per
// distinct stack. docs/pprof.md says what each profile counts and where it cuts.
//
// An interval begins with a goroutine's transition into the tracked state (for net and sync, with
// a matching reason) and ends at its next transition to another state; one still open at the end
// of the trace is dropped. It counts only for its overlap with its goroutine's windows: the
// [start, end] of its summary, or the intervals of its regions of one type (--region). Either comes
// from the summary: so the analysis needs a first pass (the Summarizer) before this one.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/summarizer.hpp"
#include "base/id_map.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

enum class ProfileType {
  Net,      // waiting for the network
  Sync,     // waiting on a channel, a select or a sync primitive
  Syscall,  // in a system call
  Sched,    // runnable, waiting to be scheduled
};
// "net", "sync", "syscall", "sched" → the type; nothing for any other name.
std::optional<ProfileType> profile_type(std::string_view name);

// Go's profiles keep the first 128 frames of a stack (pprofMaxStack; a deeper one crashes Go 1.26).
inline constexpr std::size_t kProfileMaxFrames = 128;

struct ProfileFrame {
  std::uint64_t pc = 0;
  std::string function, file;
  std::uint64_t line = 0;
  auto operator<=>(const ProfileFrame&) const = default;
};

struct ProfileSample {
  std::vector<ProfileFrame> frames;  // innermost first, at most kProfileMaxFrames
  std::uint64_t count = 0;           // intervals
  Duration delay = 0;                // their overlap with their goroutines' windows, ns
};

// A span of time in which a goroutine's intervals count.
struct GoroutineWindow {
  Time start = 0, end = 0;
};
// Each goroutine's windows, in ascending order and not overlapping; a goroutine absent counts nothing.
using ProfileWindows = base::IdMap<std::vector<GoroutineWindow>>;
// Go's pprofMatchingGoroutines: one window per goroutine whose name is `name` (all of them when it
// is empty), the [start, end] of its summary, end being the trace's last event when it does not end.
ProfileWindows goroutine_windows(const Summary& summary, std::string_view name);
// Go's pprofMatchingRegions (the trace viewer's /regionblock?type=TYPE, …): per goroutine, the
// outermost of its regions named `type`, each as Go's region interval (a missing start is the
// trace's first event, a missing end its last); a region that begins before the previous kept one
// ends is left out, whether nested in it or not. Goroutines without such a region are absent.
ProfileWindows region_windows(const Summary& summary, std::string_view type);

// Either, gathered as the Summarizer hands the goroutines over (none kept): with `region_type`,
// region_windows of that type; else goroutine_windows of `goroutine_name`.
class ProfileWindowsSink : public GoroutineSink {
 public:
  ProfileWindowsSink(std::optional<std::string> region_type, std::string_view goroutine_name)
      : region_type_(std::move(region_type)), goroutine_name_(goroutine_name) {}
  void begin(const Summary& /*head*/) override {}
  void goroutine(const Summary& head, const GoroutineSummary& g, RegionSource& regions) override;
  ProfileWindows take() { return std::move(windows_); }

 private:
  std::optional<std::string> region_type_;
  std::string goroutine_name_;
  ProfileWindows windows_;
};

class StateProfile {
 public:
  StateProfile(ProfileType type, ProfileWindows windows);

  // The next events in trace order.
  void on_events(std::span<const Event> events);
  // The samples, ordered by their frames (so the same trace always gives the same profile).
  std::vector<ProfileSample> finish();

 private:
  struct Open {
    Time start = 0;
    std::uint32_t stack = 0;  // an id into stacks_
  };
  struct Counted {
    std::uint64_t count = 0;
    Duration delay = 0;
    std::uint32_t stack = 0;  // the stack of its latest interval: Go's sample shows that one
  };
  struct Interned {
    std::vector<ProfileFrame> frames;
    std::uint32_t sample = 0;  // an index into samples_
  };
  void on_transition(const Event& ev);
  bool tracks(const Event& ev) const;
  std::uint32_t intern(Stack stack);
  std::uint32_t intern_uncached(Stack stack);
  Duration overlap(GoId id, Time start, Time end);

  ProfileType type_;
  GoState state_;
  ProfileWindows windows_;
  base::IdMap<Open> open_;
  // Stacks copied out of their generation, each distinct one once; [0] is the empty stack.
  std::vector<Interned> stacks_;
  std::map<std::vector<ProfileFrame>, std::uint32_t> stack_ids_;
  // This generation's table stacks seen so far, by their place in the tables.
  struct PlaceHash {
    std::size_t operator()(const std::pair<const StackFrame*, std::size_t>& k) const {
      return std::hash<const void*>()(k.first) ^ (k.second * 0x9e3779b97f4a7c15ull);
    }
  };
  std::unordered_map<std::pair<const StackFrame*, std::size_t>, std::uint32_t, PlaceHash> generation_stacks_;
  // One sample per stack as Go tells stacks apart: by the PCs of their first 128 frames.
  std::vector<Counted> samples_;
  std::map<std::vector<std::uint64_t>, std::uint32_t> sample_ids_;
};

}  // namespace gtanalyze::analysis
