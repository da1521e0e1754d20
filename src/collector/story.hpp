// Each side of a crosscheck folded into per-goroutine stories: the state changes both the
// runtime's tracer and the capture's uprobes record, with strings owned (the events they come
// from need not outlive the fold).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtanalyze/event.hpp"
#include "gtanalyze/version.hpp"

namespace gtanalyze::analysis {
class Summarizer;
}

namespace gtanalyze::collector {

// One change of a goroutine's state, as both sides can see it.
struct StoryEntry {
  Time time = 0;
  std::string step;                       // "block(chan send)", "syscall", "exit"; "" if not a step
  GoState state = GoState::Undetermined;  // after the change
  std::string reason;                     // the wait reason, when state is Waiting
  ThreadId m = kNoThread;                 // the thread that recorded it, if any
};

// One goroutine's recorded life on one side.
struct GoStory {
  GoId id = 0;
  bool created = false;  // this side recorded its creation (the first entry)
  GoId parent = kNoGoroutine;
  std::string start;                // start function (the creation's start stack)
  ThreadId created_on = kNoThread;  // the thread that created it, when created
  std::vector<StoryEntry> entries;  // in the order recorded
  // A coroutine (iter.Pull, created blocked by a trace's GoCreateBlocked): it lives by switches,
  // which only a trace records; the capture sees its creation and little else.
  bool coroutine = false;
};

// Folds the goroutine transitions of one side into stories. Stories own their strings, so the
// events need not outlive on_event().
class StoryBuilder {
 public:
  void on_event(const Event& e);
  const std::map<GoId, GoStory>& stories() const { return stories_; }
  std::map<GoId, GoStory> take() { return std::move(stories_); }

 private:
  std::map<GoId, GoStory> stories_;
  // Goroutines in a coroutine switch: the one switching away, whose block or exit follows, and
  // the target, whose start follows.
  std::set<GoId> switching_out_, switching_in_;
};

// What the comparison needs of the trace, gathered in one pass as it is read.
struct TraceView {
  std::map<GoId, GoStory> stories;
  // The window: from the first event after the Sync (a Go 1.22+ generation's Sync is stamped at
  // its earliest batch, which may precede the stop-the-world that turned tracing on by
  // milliseconds) to the last change.
  Time lo = 0, hi = 0;
  std::uint64_t events = 0;
  // The last change each thread recorded: threads stop recording one by one as the trace stops.
  std::map<ThreadId, Time> last_on_thread;
  std::set<GoId> leak_candidates;  // by the summary's own analysis
};

class TraceViewBuilder {
 public:
  TraceViewBuilder();
  ~TraceViewBuilder();
  void on_event(const Event& e);
  TraceView finish(Version version);

 private:
  StoryBuilder stories_;
  std::unique_ptr<analysis::Summarizer> summarizer_;
  TraceView view_;
  bool started_ = false;  // view_.lo is set
};

}  // namespace gtanalyze::collector
