// Leak detection: which goroutines look leaked at the end of a trace, and the sites they group
// by. A goroutine is a candidate when it ends the trace waiting for something no other goroutine
// is certain to provide (a channel, select, a sync primitive, forever), unless its start function
// is one the options ignore or it blocked too recently.
#pragma once

#include <string>
#include <vector>

#include "base/name_regex.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class LeakFilter {
 public:
  // Throws std::invalid_argument for an ignore pattern RE2 refuses (the CLI checks them first).
  explicit LeakFilter(const LeakOptions& options);
  // `g` as a candidate, blocked until `trace_end`, if it is one.
  bool is_candidate(const GoroutineSummary& g, Time trace_end) const;
  // Whether a goroutine with this start function, blocked this long, passes the options.
  bool keeps(const std::string& name, Duration blocked) const;

 private:
  std::vector<base::NameRegex> ignore_;
  Duration min_blocked_ = 0;
};

// Candidates with the same reason, creation stack and block stack (stacks are interned, so ids
// compare) form one group, its ids ascending. Groups come most goroutines × longest certainly
// blocked (count × min_blocked) first; ties by the first id.
std::vector<LeakGroup> group_leaks(const std::vector<LeakCandidate>& candidates);

}  // namespace gtanalyze::analysis
