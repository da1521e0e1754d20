// Names and stacks copied out of their generation's tables so that they outlive it, each distinct
// one once, by a small id. Blocks repeat a few reasons and stacks millions of times, so every
// lookup first tries a cache keyed by where the generation's tables keep the string or stack, or
// by the event's own arguments. Those keys mean something only within one generation (the next
// one's tables reuse both addresses and ids), so new_generation() empties all the caches at once.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gtanalyze/event.hpp"
#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

// What a goroutine starting to wait takes from its transition event.
struct Wait {
  std::uint32_t reason = 0;     // a name id
  std::uint32_t stack = 0;      // a stack id
  std::uint32_t root_name = 0;  // the name the stack gives a goroutine (Interning::root_name)
};

class Interning {
 public:
  Interning();  // name 0 is "", stack 0 the empty stack
  // Not copied or moved: stack_ids_ hashes ids by the stacks in this object's stacks_.
  Interning(const Interning&) = delete;
  Interning& operator=(const Interning&) = delete;

  // The id of `s`, of `frames`: each copied the first time it is seen.
  std::uint32_t name(std::string_view s) {
    const NameSlot& slot = name_cache_[name_slot(s)];
    if (slot.data == s.data() && slot.size == s.size()) return slot.id;
    return name_uncached(s);
  }
  std::uint32_t stack(Stack frames) {
    if (frames.empty()) return 0;
    const StackSlot& slot = stack_cache_[stack_slot(frames)];
    if (slot.frames == frames.data() && slot.size == frames.size()) return slot.id;
    return stack_uncached(frames);
  }
  // The id of a stack read from another table (a Summary's), interned as any other.
  std::uint32_t stack(StackView frames);
  // The name a stack gives a goroutine: its root frame's function; 0 ("") for no stack.
  std::uint32_t root_name(Stack frames) { return frames.empty() ? 0 : name(frames.back().func); }
  // The reason and stack of a transition to Waiting. Within a generation they are a function of
  // the event's type and arguments, so a hit spares the table lookups as well as the interning.
  // A miss fills the slot in place and the slot is read back: returning the Wait from the miss
  // path too costs every hit (callgrind, go1.26-100M --json: +0.5% instructions).
  Wait wait(const Event& ev) {
    WaitSlot& slot = wait_cache_[wait_slot(ev)];
    if (slot.type != ev.type || slot.args != ev.args) fill_wait(slot, ev);
    return slot.wait;
  }
  // The next generation's events follow: its tables may reuse what the caches key on.
  void new_generation();

  [[nodiscard]] const std::string& name_of(std::uint32_t id) const { return names_[id]; }
  [[nodiscard]] StackView stack_of(std::uint32_t id) const { return stacks_[id]; }
  [[nodiscard]] std::size_t stack_count() const { return stacks_.size(); }
  // The stacks by id, once no more are interned (the indexes of them go too).
  StackTable take_stacks() {
    stack_ids_.clear();
    frame_ids_.clear();
    generation_stacks_.clear();
    stack_cache_.fill(StackSlot{});
    return std::move(stacks_);
  }

 private:
  // Direct-mapped caches: one entry per slot, the latest wins. An empty slot matches nothing
  // asked: (nullptr, 0) means "" (id 0) anyway, the empty stack is never looked up, and no event
  // has type None.
  struct NameSlot {
    const char* data = nullptr;
    std::size_t size = 0;
    std::uint32_t id = 0;
  };
  struct StackSlot {
    const StackFrame* frames = nullptr;
    std::size_t size = 0;
    std::uint32_t id = 0;
  };
  struct WaitSlot {
    EventType type = EventType::None;
    std::array<std::uint64_t, 4> args{};
    Wait wait;
  };
  static constexpr std::size_t kNameSlots = 256, kStackSlots = 1024, kWaitSlots = 256;
  static std::size_t name_slot(std::string_view s) {
    return (reinterpret_cast<std::uintptr_t>(s.data()) >> 3) % kNameSlots;
  }
  static std::size_t stack_slot(Stack frames) {
    return (reinterpret_cast<std::uintptr_t>(frames.data()) / sizeof(StackFrame)) % kStackSlots;
  }
  static std::size_t wait_slot(const Event& ev) {
    // The first two arguments tell the blocks apart: their reason and stack.
    return static_cast<std::size_t>(((ev.args[0] * 31 + ev.args[1]) * 0x9e3779b97f4a7c15ull) >> 56) % kWaitSlots;
  }
  std::uint32_t name_uncached(std::string_view s);
  std::uint32_t name_id(std::string_view s);  // the name's id, not through (or into) the cache
  std::uint32_t stack_uncached(Stack frames);
  void fill_wait(WaitSlot& slot, const Event& ev);

  std::deque<std::string> names_;  // deque: stable addresses for the views in name_ids_
  std::unordered_map<std::string_view, std::uint32_t> name_ids_;
  std::array<NameSlot, kNameSlots> name_cache_{};

  StackTable stacks_;
  // Ids hashed by their stacks' frame ids, so that a stack is looked up by its frames. Hashed
  // rather than ordered: deep stacks that differ near the root share long prefixes, which a tree
  // compares at every level (131,072 distinct 19-frame stacks: half the summary's time in memcmp).
  struct StackIdHash {
    using is_transparent = void;
    const StackTable* stacks;
    std::size_t operator()(std::uint32_t id) const { return hash_of(stacks->frame_ids(id)); }
    std::size_t operator()(std::span<const std::uint32_t> frames) const { return hash_of(frames); }
  };
  struct StackIdEq {
    using is_transparent = void;
    const StackTable* stacks;
    static bool same(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
      return std::ranges::equal(a, b);
    }
    bool operator()(std::uint32_t a, std::uint32_t b) const { return a == b; }
    bool operator()(std::span<const std::uint32_t> a, std::uint32_t b) const { return same(a, stacks->frame_ids(b)); }
    bool operator()(std::uint32_t a, std::span<const std::uint32_t> b) const { return same(stacks->frame_ids(a), b); }
  };
  static std::size_t hash_of(std::span<const std::uint32_t> frames);
  std::unordered_set<std::uint32_t, StackIdHash, StackIdEq> stack_ids_{0, StackIdHash{&stacks_}, StackIdEq{&stacks_}};
  // Each distinct frame once: its function's and file's name ids and its line → its frame id.
  struct FrameKey {
    std::uint32_t function = 0, file = 0;
    std::uint64_t line = 0;
    bool operator==(const FrameKey&) const = default;
  };
  struct FrameKeyHash {
    std::size_t operator()(const FrameKey& k) const {
      return ((std::uint64_t{k.function} << 32 | k.file) ^ k.line) * 0x9e3779b97f4a7c15ull;
    }
  };
  std::unordered_map<FrameKey, std::uint32_t, FrameKeyHash> frame_ids_;
  std::uint32_t frame(const FrameKey& key);
  // The id of the stack of these frame ids, added when new.
  std::uint32_t stack_of_frames(std::span<const std::uint32_t> frame_ids);
  std::vector<std::uint32_t> frames_scratch_;  // a stack's frame ids while it is looked up
  struct StackKeyHash {
    std::size_t operator()(const std::pair<const StackFrame*, std::size_t>& k) const {
      return std::hash<const void*>()(k.first) ^ (k.second * 0x9e3779b97f4a7c15ull);
    }
  };
  // Behind stack_cache_: every table stack of this generation seen so far, by its place.
  std::unordered_map<std::pair<const StackFrame*, std::size_t>, std::uint32_t, StackKeyHash> generation_stacks_;
  std::array<StackSlot, kStackSlots> stack_cache_{};

  std::array<WaitSlot, kWaitSlots> wait_cache_{};
};

}  // namespace gtanalyze::analysis
