// The timeline's first pass: names and goroutines first seen in a state (timeline_plan.hpp).
#include "report/timeline_plan.hpp"

#include <string>
#include <vector>

#include "base/name_regex.hpp"

namespace gtanalyze::report {

TimelinePlan::TimelinePlan() : state_(std::make_unique<State>()) {}
TimelinePlan::~TimelinePlan() = default;
TimelinePlan::TimelinePlan(TimelinePlan&&) noexcept = default;
TimelinePlan& TimelinePlan::operator=(TimelinePlan&&) noexcept = default;

void TimelinePlan::on_events(std::span<const Event> events) {
  for (const Event& ev : events) state_->on_event(ev);
}

std::vector<std::string> TimelinePlan::unmatched(const TimelineOptions& options) const {
  std::vector<std::string> missing;
  for (const GoId id : options.goroutines)
    if (state_->names.find(id) == nullptr)
      missing.push_back("goroutine " + std::to_string(id) + " is not in the trace");
  if (!options.group.empty()) {
    const base::NameRegex group = base::NameRegex::checked(options.group);
    bool any = false;
    state_->names.for_each([&](const auto& e) { any = any || group.search(state_->interning.name_of(e.second)); });
    if (!any) missing.push_back("no goroutine's start function matches --group '" + options.group + "'");
  }
  return missing;
}

void TimelinePlan::State::on_event(const Event& ev) {
  switch (ev.kind()) {
    case EventKind::Sync:
      generation++;
      interning.new_generation();
      break;
    case EventKind::StateTransition: on_transition(ev); break;
    case EventKind::TaskBegin:
    case EventKind::TaskEnd:
    case EventKind::RegionBegin:
    case EventKind::RegionEnd: annotations.on_event(ev); break;
    default: break;
  }
}

void TimelinePlan::State::on_transition(const Event& ev) {
  const StateChange st = ev.state_change();
  if (st.kind != ResourceKind::Goroutine) return;
  if (st.go_to == GoState::NotExist) annotations.goroutine_ended(st.id);
  if (st.go_from == st.go_to) return;
  std::uint32_t& name = names[st.id];
  // A goroutine appearing starts a new life, named afresh (as the summary's records are).
  if (st.go_from == GoState::NotExist || st.go_from == GoState::Undetermined) name = 0;
  analysis::Wait wait;
  if (st.go_to == GoState::Waiting) {
    wait = interning.wait(ev);
    if (name == 0) name = wait.root_name;
  } else if (name == 0 || st.go_from == GoState::Undetermined) {
    const Stack stack = ev.transition_stack();
    if (name == 0) name = interning.root_name(stack);
    wait.stack = interning.stack(stack);
  }
  if (st.go_from == GoState::Undetermined)
    first_seen.push_back(FirstSeen{generation, st.id, st.go_to, wait.reason, wait.stack, ev.p, ev.m});
}

}  // namespace gtanalyze::report
