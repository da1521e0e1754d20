// The timeline's first pass (see timeline.hpp), shared by timeline_plan.cpp, which fills it, and
// timeline.cpp, which draws from it.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/interning.hpp"
#include "base/id_map.hpp"
#include "report/timeline.hpp"
#include "report/timeline_annotations.hpp"

namespace gtanalyze::report {

// A goroutine first seen already in a state (its transition comes from Undetermined): Go's
// summary charges that state from the start of the generation, and so the timeline draws it.
struct FirstSeen {
  std::uint32_t generation = 0;
  GoId id = 0;
  GoState state = GoState::Undetermined;
  std::uint32_t reason = 0, stack = 0;  // Interning ids
  ProcId p = kNoProc;
  ThreadId m = kNoThread;
};

struct TimelinePlan::State {
  void on_event(const Event& ev);
  void on_transition(const Event& ev);

  // Names and stacks, kept for the second pass, which goes on interning with the same ids.
  analysis::Interning interning;
  // Each goroutine's name (an Interning id), as the summary names it: the root frame of the
  // first stack its transitions carry; for an id used twice, its last life's.
  base::IdMap<std::uint32_t> names;
  std::vector<FirstSeen> first_seen;  // in trace order, so by generation
  AnnotationPlan annotations;
  std::uint32_t generation = 0;  // Syncs seen
};

}  // namespace gtanalyze::report
