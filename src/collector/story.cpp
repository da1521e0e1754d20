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
  GoStory& s = stories_[id];
  StoryEntry entry{e.time, {}, st.go_to, st.go_to == GoState::Waiting ? std::string(st.reason) : std::string()};
  if (st.go_from == GoState::NotExist) {
    s = GoStory{};
    s.created = true;
    s.parent = e.g;
    if (!st.stack.empty()) s.start = std::string(st.stack.back().func);
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
  if (view_.events == 0) view_.lo = e.time;
  view_.hi = e.time;
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
