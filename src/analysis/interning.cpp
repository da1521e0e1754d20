// The slow paths of the interning: the caches missed (see interning.hpp).
#include "analysis/interning.hpp"

namespace gtanalyze::analysis {

Interning::Interning() {
  name_uncached("");
  stacks_.emplace_back();
}

void Interning::new_generation() {
  name_cache_.fill(NameSlot{});
  generation_stacks_.clear();
  stack_cache_.fill(StackSlot{});
  wait_cache_.fill(WaitSlot{});
}

std::uint32_t Interning::name_uncached(std::string_view s) {
  std::uint32_t id = 0;
  auto it = name_ids_.find(s);
  if (it != name_ids_.end()) {
    id = it->second;
  } else {
    names_.emplace_back(s);
    id = static_cast<std::uint32_t>(names_.size() - 1);
    name_ids_.emplace(names_.back(), id);
  }
  name_cache_[name_slot(s)] = NameSlot{s.data(), s.size(), id};
  return id;
}

std::uint32_t Interning::stack_uncached(Stack frames) {
  StackSlot& slot = stack_cache_[stack_slot(frames)];
  slot.frames = frames.data();
  slot.size = frames.size();
  const auto key = std::make_pair(frames.data(), frames.size());
  if (auto seen = generation_stacks_.find(key); seen != generation_stacks_.end()) return slot.id = seen->second;
  StackInfo info;
  info.reserve(frames.size());
  for (const StackFrame& f : frames) info.push_back(FrameInfo{std::string(f.func), std::string(f.file), f.line});
  const auto known = stack_ids_.find(info);
  const std::uint32_t id = known != stack_ids_.end() ? *known : add_stack(std::move(info));
  generation_stacks_.emplace(key, id);
  return slot.id = id;
}

std::uint32_t Interning::stack(const StackInfo& frames) {
  if (frames.empty()) return 0;
  if (auto it = stack_ids_.find(frames); it != stack_ids_.end()) return *it;  // no copy of a known one
  return add_stack(frames);
}

std::size_t Interning::hash_of(const StackInfo& frames) {
  std::size_t h = frames.size();
  for (const FrameInfo& f : frames) {
    const std::size_t frame = std::hash<std::string>()(f.function) ^ (std::hash<std::string>()(f.file) << 1) ^ f.line;
    h = (h ^ frame) * 0x100000001b3ull;
  }
  return h;
}

std::uint32_t Interning::add_stack(StackInfo frames) {
  stacks_.push_back(std::move(frames));
  const auto id = static_cast<std::uint32_t>(stacks_.size() - 1);
  stack_ids_.insert(id);
  return id;
}

void Interning::fill_wait(WaitSlot& slot, const Event& ev) {
  const Stack frames = ev.transition_stack();
  slot = WaitSlot{ev.type, ev.args, Wait{name(ev.transition_reason()), stack(frames), root_name(frames)}};
}

}  // namespace gtanalyze::analysis
