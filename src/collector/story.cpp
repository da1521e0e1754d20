// Folding one side's events into stories (and, for the trace, its window and leak candidates).
#include "collector/story.hpp"

#include <fmt/format.h>

#include "analysis/summarizer.hpp"

namespace gtanalyze::collector {

void StoryBuilder::on_event(const Event& e) {
  if (e.kind() != EventKind::StateTransition) return;
  const StateTransition st = e.state_transition();
  if (st.resource.kind != ResourceKind::Goroutine) return;
  const GoId id = st.resource.id;
  // A coroutine switch (iter.Pull, Go 1.23+) hands the thread from one goroutine to another
  // without casgstatus, so only a trace records it: the switch (the target made runnable), the
  // switching goroutine's block or exit and the target's start, which are left out of stories.
  if (e.type == EventType::GoSwitch || e.type == EventType::GoSwitchDestroy) {
    switching_in_.insert(id);
    if (e.g != kNoGoroutine) switching_out_.insert(e.g);
    return;
  }
  if (st.go_from == GoState::Running && st.go_to != GoState::Syscall && switching_out_.erase(id) != 0) return;
  if (st.go_from == GoState::Runnable && st.go_to == GoState::Running && switching_in_.erase(id) != 0) return;
  GoStory& s = stories_[id];
  // A Go 1.22+ generation restates the state of each goroutine it mentions (a status event, with
  // no reason): the goroutine has not changed, and its reason stays the one it blocked with.
  const bool restated = st.go_from == st.go_to || st.go_from == GoState::Undetermined;
  if (restated && !s.entries.empty() && s.entries.back().state == st.go_to) return;
  StoryEntry entry{e.time, {}, st.go_to, st.go_to == GoState::Waiting ? std::string(st.reason) : std::string(), e.m};
  if (st.go_from == GoState::NotExist) {
    s = GoStory{};
    s.created = true;
    s.parent = e.g;
    s.created_on = e.m;
    if (!st.stack.empty()) s.start = std::string(st.stack.back().func);
    s.coroutine = e.type == EventType::GoCreateBlocked;
  } else if (st.go_from == GoState::Running && st.go_to == GoState::Waiting) {
    entry.step = fmt::format("block({})", st.reason);
  } else if (st.go_from == GoState::Running && st.go_to == GoState::Syscall) {
    entry.step = "syscall";
  }
  if (st.go_to == GoState::NotExist) entry.step = "exit";
  s.id = id;
  s.entries.push_back(std::move(entry));
}

TraceViewBuilder::TraceViewBuilder() : summarizer_(std::make_unique<analysis::Summarizer>()) {}
TraceViewBuilder::~TraceViewBuilder() = default;

void TraceViewBuilder::on_event(const Event& e) {
  const bool sync = e.kind() == EventKind::Sync;
  if (!started_ && !sync) {
    started_ = true;
    view_.lo = e.time;
  }
  // The window ends at the last change the tracer recorded. Go 1.22+ ends a trace with a
  // generation of status events (and the reader's Sync), stamped when trace.Stop has finished
  // flushing, up to tens of milliseconds after it stopped recording goroutines.
  // The states alone (state_change(), not state_transition(): no table lookups for this).
  bool restatement = sync;
  if (e.kind() == EventKind::StateTransition) {
    const StateChange c = e.state_change();
    restatement = c.kind == ResourceKind::Goroutine
                      ? c.go_from == GoState::Undetermined || c.go_from == c.go_to
                      : c.proc_from == ProcState::Undetermined || c.proc_from == c.proc_to;
  }
  if (!restatement || view_.events == 0) view_.hi = e.time;
  if (!restatement && e.m != kNoThread) view_.last_on_thread[e.m] = e.time;
  view_.events++;
  stories_.on_event(e);
  summarizer_->on_event(e);
}

TraceView TraceViewBuilder::finish(Version version) {
  for (const auto& l : summarizer_->finish(version, {}).leak_candidates) view_.leak_candidates.insert(l.id);
  view_.stories = stories_.take();
  return std::move(view_);
}

}  // namespace gtanalyze::collector
