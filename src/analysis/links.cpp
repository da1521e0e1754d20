// Pairs events with their earlier counterpart as the stream goes by.
#include "analysis/links.hpp"

namespace gtanalyze::analysis {

std::uint32_t Linker::range_name_id(std::string_view name) {
  for (std::size_t i = 0; i < range_names_.size(); i++)
    if (range_names_[i] == name) return static_cast<std::uint32_t>(i);
  range_names_.emplace_back(name);
  return static_cast<std::uint32_t>(range_names_.size() - 1);
}

std::optional<Link> Linker::on_event(std::uint64_t index, const Event& ev) {
  const Link self{index, ev.type, ev.time};
  switch (ev.kind()) {
    case EventKind::StateTransition: {
      const StateTransition st = ev.state_transition();
      if (st.resource.kind != ResourceKind::Goroutine || st.go_from == st.go_to) return std::nullopt;
      std::optional<Link> link;
      auto it = last_transition_.find(st.resource.id);
      // A goroutine coming into existence starts a new chain (ids may be reused).
      if (it != last_transition_.end() && st.go_from != GoState::NotExist && st.go_from != GoState::Undetermined)
        link = it->second;
      if (st.go_to == GoState::NotExist) {
        if (it != last_transition_.end()) last_transition_.erase(it);
      } else {
        last_transition_[st.resource.id] = self;
      }
      return link;
    }
    case EventKind::RangeBegin:
    case EventKind::RangeActive: {
      const Range r = ev.range();
      open_ranges_[{range_name_id(r.name), r.scope.id}] = self;
      return std::nullopt;
    }
    case EventKind::RangeEnd: {
      const Range r = ev.range();
      auto it = open_ranges_.find({range_name_id(r.name), r.scope.id});
      if (it == open_ranges_.end()) return std::nullopt;
      Link link = it->second;
      open_ranges_.erase(it);
      return link;
    }
    default: return std::nullopt;
  }
}

}  // namespace gtanalyze::analysis
