// Test helper: events made by hand, for the units that consume them (links, the tracker's parts,
// crosscheck). Their strings and stacks come from tables the test fills.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gtanalyze/event.hpp"

namespace gtanalyze::test {

struct Tables final : EventTables {
  explicit Tables(std::vector<std::string> s, std::vector<std::vector<StackFrame>> st = {{}})
      : strings(std::move(s)), stacks(std::move(st)) {}
  std::string_view string(std::uint64_t id) const override { return strings.at(id); }
  Stack stack(std::uint64_t id) const override { return stacks.at(id); }
  std::string_view extra_string(std::uint64_t) const override { return {}; }

  std::vector<std::string> strings;  // [0] is ""
  std::vector<std::vector<StackFrame>> stacks;
};

inline Event event(const EventTables& tables, EventType type, Time time, GoId g, ProcId p,
                   std::array<std::uint64_t, 4> args) {
  Event e;
  e.type = type;
  e.time = time;
  e.g = g;
  e.p = p;
  e.args = args;
  e.tables = &tables;
  return e;
}

}  // namespace gtanalyze::test
