// The slow paths of the interning: the caches missed (see interning.hpp).
#include "analysis/interning.hpp"

namespace gtanalyze::analysis {

Interning::Interning() { name_uncached(""); }

void Interning::new_generation() {
  name_cache_.fill(NameSlot{});
  generation_stacks_.clear();
  stack_cache_.fill(StackSlot{});
  wait_cache_.fill(WaitSlot{});
}

std::uint32_t Interning::name_uncached(std::string_view s) {
  const std::uint32_t id = name_id(s);
  name_cache_[name_slot(s)] = NameSlot{s.data(), s.size(), id};
  return id;
}

std::uint32_t Interning::name_id(std::string_view s) {
  if (auto it = name_ids_.find(s); it != name_ids_.end()) return it->second;
  names_.emplace_back(s);
  const auto id = static_cast<std::uint32_t>(names_.size() - 1);
  name_ids_.emplace(names_.back(), id);
  return id;
}

std::uint32_t Interning::stack_uncached(Stack frames) {
  StackSlot& slot = stack_cache_[stack_slot(frames)];
  slot.frames = frames.data();
  slot.size = frames.size();
  const auto key = std::make_pair(frames.data(), frames.size());
  if (auto seen = generation_stacks_.find(key); seen != generation_stacks_.end()) return slot.id = seen->second;
  frames_scratch_.clear();
  for (const StackFrame& f : frames) frames_scratch_.push_back(frame(FrameKey{name(f.func), name(f.file), f.line}));
  const std::uint32_t id = stack_of_frames(frames_scratch_);
  generation_stacks_.emplace(key, id);
  return slot.id = id;
}

std::uint32_t Interning::stack(StackView frames) {
  if (frames.empty()) return 0;
  frames_scratch_.clear();
  // Not through the name cache, which trusts a string's place for a generation: these strings
  // may be anywhere (a JSON file's, freed and reused as the next one is read).
  for (const FrameInfo& f : frames)
    frames_scratch_.push_back(frame(FrameKey{name_id(f.function), name_id(f.file), f.line}));
  return stack_of_frames(frames_scratch_);
}

std::uint32_t Interning::frame(const FrameKey& key) {
  const auto [it, added] = frame_ids_.try_emplace(key, 0);
  if (added) it->second = stacks_.add_frame(FrameInfo{names_[key.function], names_[key.file], key.line});
  return it->second;
}

std::uint32_t Interning::stack_of_frames(std::span<const std::uint32_t> frame_ids) {
  if (auto known = stack_ids_.find(frame_ids); known != stack_ids_.end()) return *known;
  const std::uint32_t id = stacks_.add_stack(frame_ids);
  stack_ids_.insert(id);
  return id;
}

std::size_t Interning::hash_of(std::span<const std::uint32_t> frames) {
  std::size_t h = frames.size();
  for (const std::uint32_t f : frames) h = (h ^ f) * 0x100000001b3ull;
  return h;
}

void Interning::fill_wait(WaitSlot& slot, const Event& ev) {
  const Stack frames = ev.transition_stack();
  slot = WaitSlot{ev.type, ev.args, Wait{name(ev.transition_reason()), stack(frames), root_name(frames)}};
}

}  // namespace gtanalyze::analysis
