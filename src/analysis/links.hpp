// Linked events: for each event, the earlier event it pairs with, found while streaming. A
// goroutine transition links to the transition that put the goroutine in the state it leaves
// (start ← unblock or create, unblock ← block, syscall exit ← syscall enter), so the context
// goroutine of an unblock is "who unblocked whom"; a range end links to its begin.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gtanalyze/event.hpp"

namespace gtanalyze::analysis {

struct Link {
  std::uint64_t index = 0;  // the linked event's position in the stream (0-based)
  EventType type = EventType::None;
  Time time = 0;
};

class Linker {
 public:
  // Feeds the event at position `index`; returns the earlier event it links to, if any.
  std::optional<Link> on_event(std::uint64_t index, const Event& event);

 private:
  // The few distinct range names, so range keys need no allocation per event.
  std::uint32_t range_name_id(std::string_view name);

  std::unordered_map<GoId, Link> last_transition_;
  std::vector<std::string> range_names_;
  std::map<std::pair<std::uint32_t, std::int64_t>, Link> open_ranges_;  // (name, scope id) → begin
};

}  // namespace gtanalyze::analysis
