// The intervals of Go's pprof-like profiles (see state_profile.hpp), as cmd/trace/pprof.go's
// makeComputePprofFunc and pprofOverlappingDuration compute them.
#include "analysis/state_profile.hpp"

#include <algorithm>

namespace gtanalyze::analysis {

std::optional<ProfileType> profile_type(std::string_view name) {
  if (name == "net") return ProfileType::Net;
  if (name == "sync") return ProfileType::Sync;
  if (name == "syscall") return ProfileType::Syscall;
  if (name == "sched") return ProfileType::Sched;
  return std::nullopt;
}

void ProfileWindowsSink::goroutine(const Summary& head, const GoroutineSummary& g, RegionSource& regions) {
  if (!region_type_) {
    if (!goroutine_name_.empty() && g.name != goroutine_name_) return;
    // A goroutine that does not end is still live at the trace's last event.
    windows_.emplace(g.id, {GoroutineWindow{g.start, g.end != 0 ? g.end : head.last}});
    return;
  }
  std::vector<GoroutineWindow> kept;
  regions.each([&](const RegionSummary& r) {
    if (r.name == *region_type_) kept.push_back({r.start.value_or(head.first), r.end.value_or(head.last)});
  });
  if (kept.empty()) return;
  std::sort(kept.begin(), kept.end(), [](const GoroutineWindow& a, const GoroutineWindow& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  // The outermost: each region that begins once the last kept one has ended.
  std::size_t n = 0;
  for (const GoroutineWindow& r : kept) {
    if (n == 0 || kept[n - 1].end <= r.start) kept[n++] = r;
  }
  kept.resize(n);
  windows_.emplace(g.id, kept);
}

namespace {

ProfileWindows windows_of(const Summary& summary, ProfileWindowsSink sink) {
  for (const GoroutineSummary& g : summary.goroutines) {
    RegionsOf regions(g.regions);
    sink.goroutine(summary, g, regions);
  }
  return sink.take();
}

}  // namespace

ProfileWindows goroutine_windows(const Summary& summary, std::string_view name) {
  return windows_of(summary, ProfileWindowsSink(std::nullopt, name));
}

ProfileWindows region_windows(const Summary& summary, std::string_view type) {
  return windows_of(summary, ProfileWindowsSink(std::string(type), ""));
}

namespace {

GoState tracked_state(ProfileType type) {
  switch (type) {
    case ProfileType::Net:
    case ProfileType::Sync: return GoState::Waiting;
    case ProfileType::Syscall: return GoState::Syscall;
    case ProfileType::Sched: return GoState::Runnable;
  }
  return GoState::Undetermined;
}

}  // namespace

StateProfile::StateProfile(ProfileType type, ProfileWindows windows)
    : type_(type), state_(tracked_state(type)), windows_(std::move(windows)) {
  stacks_.emplace_back();  // the empty stack, in the sample of no PCs
  samples_.emplace_back();
  sample_ids_.emplace(std::vector<std::uint64_t>{}, 0);
}

void StateProfile::on_events(std::span<const Event> events) {
  for (const Event& ev : events) {
    const EventKind kind = ev.kind();
    if (kind == EventKind::StateTransition) {
      on_transition(ev);
    } else if (kind == EventKind::Sync) {
      // The next generation's tables may put other stacks where this one's were.
      generation_stacks_.clear();
    }
  }
}

void StateProfile::on_transition(const Event& ev) {
  const StateChange st = ev.state_change();
  if (st.kind != ResourceKind::Goroutine) return;
  auto* open = open_.find(st.id);
  if (open == nullptr) {
    // The stack is the event's own: for sched, the creator's or the unblocker's.
    if (st.go_to == state_ && tracks(ev)) open_.emplace(st.id, Open{ev.time, intern(ev.stack())});
    return;
  }
  // A transition to the same state (a different wait reason, a status) does not end it.
  if (st.go_to == state_) return;
  const Open interval = open->second;
  open_.erase(open);
  const Duration delay = overlap(st.id, interval.start, ev.time);
  if (delay <= 0) return;
  Counted& sample = samples_[stacks_[interval.stack].sample];
  sample.count++;
  sample.delay += delay;
  sample.stack = interval.stack;
}

bool StateProfile::tracks(const Event& ev) const {
  if (type_ != ProfileType::Net && type_ != ProfileType::Sync) return true;
  const std::string_view reason = ev.transition_reason();
  if (type_ == ProfileType::Net) return reason == "network";
  return reason.find("chan") != std::string_view::npos || reason.find("sync") != std::string_view::npos ||
         reason.find("select") != std::string_view::npos;
}

// Go's pprofOverlappingDuration: the sum of the positive overlaps with the goroutine's windows.
Duration StateProfile::overlap(GoId id, Time start, Time end) {
  const auto* windows = windows_.find(id);
  if (windows == nullptr) return 0;
  // The windows ascend and do not overlap, so their ends ascend too: start at the first that ends
  // at or after `start` (a scan of every window for every interval was quadratic in a goroutine's
  // regions).
  const std::vector<GoroutineWindow>& ws = windows->second;
  auto w = std::lower_bound(ws.begin(), ws.end(), start,
                            [](const GoroutineWindow& window, Time t) { return window.end < t; });
  Duration sum = 0;
  for (; w != ws.end() && w->start <= end; ++w) sum += std::min(w->end, end) - std::max(w->start, start);
  return sum;
}

std::uint32_t StateProfile::intern(Stack stack) {
  if (stack.empty()) return 0;
  const auto seen = generation_stacks_.find({stack.data(), stack.size()});
  if (seen != generation_stacks_.end()) return seen->second;
  const std::uint32_t id = intern_uncached(stack);
  generation_stacks_.emplace(std::make_pair(stack.data(), stack.size()), id);
  return id;
}

std::uint32_t StateProfile::intern_uncached(Stack stack) {
  std::vector<ProfileFrame> frames;
  const std::size_t kept = std::min(stack.size(), kProfileMaxFrames);
  frames.reserve(kept);
  for (const StackFrame& f : stack.first(kept))
    frames.push_back(ProfileFrame{f.pc, std::string(f.func), std::string(f.file), f.line});
  const auto [it, inserted] = stack_ids_.try_emplace(frames, static_cast<std::uint32_t>(stacks_.size()));
  if (!inserted) return it->second;
  // Go keys its samples by an array of 128 PCs, zero-filled: trailing zero PCs do not count.
  std::vector<std::uint64_t> pcs;
  pcs.reserve(kept);
  for (const ProfileFrame& f : frames) pcs.push_back(f.pc);
  while (!pcs.empty() && pcs.back() == 0) pcs.pop_back();
  const auto [sample, added] = sample_ids_.try_emplace(std::move(pcs), static_cast<std::uint32_t>(samples_.size()));
  if (added) samples_.emplace_back();
  stacks_.push_back(Interned{std::move(frames), sample->second});
  return it->second;
}

std::vector<ProfileSample> StateProfile::finish() {
  std::vector<ProfileSample> out;
  for (const Counted& c : samples_) {
    if (c.count == 0) continue;
    out.push_back(ProfileSample{stacks_[c.stack].frames, c.count, c.delay});
  }
  std::sort(out.begin(), out.end(), [](const ProfileSample& a, const ProfileSample& b) { return a.frames < b.frames; });
  return out;
}

}  // namespace gtanalyze::analysis
