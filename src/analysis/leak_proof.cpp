// Matching leak proofs with leak candidates (see leak_proof.hpp).
#include "analysis/leak_proof.hpp"

#include "analysis/leaks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/same_run.hpp"

namespace gtanalyze::analysis {
namespace {

// A stack as the matching compares it: functions and lines, innermost first (file names are
// spelled differently by the trace and the profile in some builds).
using FrameKey = std::pair<std::string_view, std::uint64_t>;
using StackKey = std::vector<FrameKey>;

StackKey key_of(StackView stack, std::size_t skip) {
  StackKey key;
  for (std::size_t i = skip; i < stack.size(); i++) key.emplace_back(stack[i].function, stack[i].line);
  return key;
}

// The frames the tracer leaves off the top of a block stack: the runtime's own, and the runtime's
// functions linked into sync (sync.runtime_SemacquireWaitGroup, internal/sync's mutex).
bool runtime_frame(std::string_view function) {
  return function.starts_with("runtime.") || function.starts_with("internal/") || function.starts_with("sync.runtime_");
}

// Each group's count of proven goroutines, from its candidates or from the k of its stack.
void group_proofs(Summary& s, const std::map<std::uint32_t, UndecidedProof>& undecided) {
  for (LeakGroup& g : s.leak_groups) {
    auto it = undecided.find(g.block_stack);
    if (it == undecided.end()) {
      std::uint64_t proven = 0;
      for (const LeakCandidate& c : s.leak_candidates)
        if (c.proven == true && std::binary_search(g.ids.begin(), g.ids.end(), c.id)) proven++;
      g.proven = proven;
      continue;
    }
    g.undecided = it->second;
    // The stack's k is this group's when no other group shares the stack.
    if (it->second.of == g.count) g.proven = it->second.proven;
  }
}

}  // namespace

void prove_leaks(Summary& s, const LeakProfile& profile) {
  s.leak_proof = LeakProof::Profile;
  // The candidates' block stacks, by their frames.
  std::map<StackKey, std::uint32_t> stacks;
  std::map<std::uint32_t, std::uint64_t> candidates_at, proven_at;
  for (const LeakCandidate& c : s.leak_candidates) {
    if (c.block_stack == 0 || c.block_stack >= s.stacks.size()) continue;  // no stack: nothing to match
    stacks.emplace(key_of(s.stacks[c.block_stack], 0), c.block_stack);
    candidates_at[c.block_stack]++;
  }
  std::uint64_t listed = 0, unmatched = 0;
  for (const LeakProfileSample& sample : profile.samples) {
    listed += sample.count;
    // Skip the runtime frames on top one at a time: the first match (the longest stack) wins.
    std::optional<std::uint32_t> match;
    for (std::size_t skip = 0; skip < sample.stack.size() && !match; skip++) {
      auto it = stacks.find(key_of(sample.stack, skip));
      if (it != stacks.end()) match = it->second;
      if (!runtime_frame(sample.stack[skip].function)) break;
    }
    if (match) {
      proven_at[*match] += sample.count;
    } else {
      unmatched += sample.count;
    }
  }
  if (listed > 0 && unmatched == listed && !s.leak_candidates.empty()) {
    s.warnings.push_back(fmt::format(
        "the leak profile lists {} leaked goroutine(s), none at the block stack of a leak candidate: it is not "
        "of this run (nothing is proven)",
        listed));
    return;
  }
  std::map<std::uint32_t, UndecidedProof> undecided;
  for (auto& [stack, n] : candidates_at) {
    const std::uint64_t k = proven_at.count(stack) ? proven_at[stack] : 0;
    // More at a stack than there are candidates: the rest are goroutines that are no candidate.
    if (k > n) unmatched += k - n;
    if (k > 0 && k < n) undecided[stack] = UndecidedProof{k, n};
  }
  for (LeakCandidate& c : s.leak_candidates) {
    // Without a block stack, or with one the profile's count does not cover: undecided.
    if (!candidates_at.count(c.block_stack) || undecided.count(c.block_stack)) continue;
    c.proven = proven_at.count(c.block_stack) > 0;
  }
  group_proofs(s, undecided);
  if (unmatched > 0) {
    s.warnings.push_back(fmt::format(
        "the leak profile lists {} leaked goroutine(s) that are no leak candidate of the trace (their block stack "
        "is no candidate's, or more goroutines have it than candidates)",
        unmatched));
  }
}

void prove_leaks(Summary& s, const CaptureLeaks& capture) {
  s.leak_proof = LeakProof::Capture;
  std::string other_run = other_go_version(s.version, capture.version, capture.go_minor);
  if (other_run.empty() && shares_capture_clock(s.version) && s.events > 0)
    other_run = spans_apart(s.first, s.last, capture.first, capture.last);
  if (!other_run.empty()) {
    s.warnings.push_back(other_run + " (nothing is proven)");
    return;
  }
  const std::vector<GoId>& leaked = capture.leaked;
  if (leaked.empty()) {
    s.warnings.push_back(
        "the capture saw no goroutine marked leaked: no leak-detecting GC ran while it recorded (nothing is proven)");
    return;
  }
  const std::set<GoId> proven(leaked.begin(), leaked.end());
  std::uint64_t matched = 0;
  for (LeakCandidate& c : s.leak_candidates) {
    c.proven = proven.count(c.id) > 0;
    if (*c.proven) matched++;
  }
  group_proofs(s, {});
  if (matched < proven.size()) {
    s.warnings.push_back(fmt::format("the capture saw {} goroutine(s) marked leaked that are no leak candidate",
                                     proven.size() - matched));
  }
}

void apply_leak_options(Summary& s, const LeakOptions& options) {
  const LeakFilter filter(options);
  std::erase_if(s.leak_candidates, [&](const LeakCandidate& c) { return !filter.keeps(c.name, c.blocked); });
  // What a profile left undecided is a fact of its block stack, whichever candidates remain.
  // A proof of another run decided nothing, and still does.
  std::map<std::uint32_t, UndecidedProof> undecided;
  bool decided = false;
  for (const LeakGroup& g : s.leak_groups) {
    if (g.undecided) undecided.emplace(g.block_stack, *g.undecided);
    decided = decided || g.proven || g.undecided;
  }
  s.leak_groups = group_leaks(s.leak_candidates);
  if (decided) group_proofs(s, undecided);
}

}  // namespace gtanalyze::analysis
