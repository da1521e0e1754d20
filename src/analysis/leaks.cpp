// Leak candidates and their groups (see leaks.hpp).
#include "analysis/leaks.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

namespace gtanalyze::analysis {
namespace {

// Waits that only another goroutine can end, and that nothing in the runtime ends by itself.
constexpr std::string_view kLeakReasons[] = {"chan receive", "chan send",         "select",
                                             "sync",         "sync.(*Cond).Wait", "forever"};

}  // namespace

LeakFilter::LeakFilter(const LeakOptions& options) : min_blocked_(options.min_blocked) {
  for (const auto& pattern : options.ignore) ignore_.push_back(base::NameRegex::checked(pattern));
}

bool LeakFilter::is_candidate(const GoroutineSummary& g, Time trace_end) const {
  if (g.final_state != GoState::Waiting) return false;
  if (std::find(std::begin(kLeakReasons), std::end(kLeakReasons), g.final_reason) == std::end(kLeakReasons))
    return false;
  return keeps(g.name, trace_end - g.final_time);
}

bool LeakFilter::keeps(const std::string& name, Duration blocked) const {
  if (std::any_of(ignore_.begin(), ignore_.end(), [&](const base::NameRegex& re) { return re.search(name); }))
    return false;
  return blocked >= min_blocked_;
}

std::vector<LeakGroup> group_leaks(const std::vector<LeakCandidate>& candidates) {
  std::map<std::tuple<std::string, std::uint32_t, std::uint32_t>, LeakGroup> by_site;
  for (const LeakCandidate& c : candidates) {
    auto [it, inserted] = by_site.try_emplace({c.reason, c.create_stack, c.block_stack});
    LeakGroup& lg = it->second;
    if (inserted) {
      lg.name = c.name;
      lg.reason = c.reason;
      lg.min_blocked = lg.max_blocked = c.blocked;
      lg.create_stack = c.create_stack;
      lg.block_stack = c.block_stack;
    }
    lg.count++;
    lg.ids.push_back(c.id);
    lg.min_blocked = std::min(lg.min_blocked, c.blocked);
    lg.max_blocked = std::max(lg.max_blocked, c.blocked);
  }
  std::vector<LeakGroup> groups;
  for (auto& [site, lg] : by_site) {
    std::sort(lg.ids.begin(), lg.ids.end());
    groups.push_back(std::move(lg));
  }
  auto weight = [](const LeakGroup& g) {
    Duration w;
    return __builtin_mul_overflow(static_cast<Duration>(g.count), g.min_blocked, &w) ? INT64_MAX : w;
  };
  std::sort(groups.begin(), groups.end(), [&weight](const LeakGroup& a, const LeakGroup& b) {
    const Duration wa = weight(a), wb = weight(b);
    if (wa != wb) return wa > wb;
    return a.ids.front() < b.ids.front();
  });
  return groups;
}

}  // namespace gtanalyze::analysis
