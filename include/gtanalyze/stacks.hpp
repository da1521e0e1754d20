// Stacks as the analysis keeps them: each distinct frame once, a stack as the ids of its frames.
// A big trace has hundreds of thousands of distinct deep stacks that share most of their frames;
// a copy of each frame's names per stack took ~200 bytes a frame (131,072 stacks of 22 frames:
// 416 MB), a frame id takes 4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace gtanalyze {

struct FrameInfo {
  std::string function;
  std::string file;
  std::uint64_t line = 0;
  bool operator==(const FrameInfo&) const = default;
  auto operator<=>(const FrameInfo&) const = default;
};
// A stack of its own (a profile's sample, a test's), innermost frame first.
using StackInfo = std::vector<FrameInfo>;

// The frames of one stack, innermost first, read in place: from a StackTable (frame ids) or from a
// StackInfo (the frames themselves). Valid while what it reads lives and is not added to.
class StackView {
 public:
  class iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = FrameInfo;
    using difference_type = std::ptrdiff_t;
    using pointer = const FrameInfo*;
    using reference = const FrameInfo&;
    iterator() = default;
    iterator(const StackView& view, std::size_t i) : frames_(view.frames_), ids_(view.ids_), i_(i) {}
    reference operator*() const { return ids_ ? frames_[ids_[i_]] : frames_[i_]; }
    pointer operator->() const { return &**this; }
    iterator& operator++() { return ++i_, *this; }
    iterator operator++(int) {
      iterator before = *this;
      ++i_;
      return before;
    }
    iterator& operator--() { return --i_, *this; }
    iterator operator--(int) {
      iterator before = *this;
      --i_;
      return before;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const FrameInfo* frames_ = nullptr;
    const std::uint32_t* ids_ = nullptr;
    std::size_t i_ = 0;
  };

  StackView() = default;
  StackView(const FrameInfo* frames, const std::uint32_t* ids, std::size_t size)
      : frames_(frames), ids_(ids), size_(size) {}
  // NOLINTNEXTLINE(google-explicit-constructor): a StackInfo is read as any stack.
  StackView(const StackInfo& frames) : frames_(frames.data()), size_(frames.size()) {}

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  const FrameInfo& operator[](std::size_t i) const { return ids_ ? frames_[ids_[i]] : frames_[i]; }
  [[nodiscard]] const FrameInfo& front() const { return (*this)[0]; }
  [[nodiscard]] const FrameInfo& back() const { return (*this)[size_ - 1]; }
  [[nodiscard]] iterator begin() const { return {*this, 0}; }
  [[nodiscard]] iterator end() const { return {*this, size_}; }
  [[nodiscard]] auto rbegin() const { return std::reverse_iterator<iterator>(end()); }
  [[nodiscard]] auto rend() const { return std::reverse_iterator<iterator>(begin()); }
  [[nodiscard]] StackInfo copy() const { return {begin(), end()}; }
  bool operator==(const StackView& o) const;

 private:
  const FrameInfo* frames_ = nullptr;
  const std::uint32_t* ids_ = nullptr;  // null: frames_ are the stack's own, in order
  std::size_t size_ = 0;
};

// Stacks by id; [0] is the empty stack. Adding keeps what it is given: telling equal stacks and
// frames apart is the interning's work (analysis/interning.hpp), which gives each its id once.
class StackTable {
 public:
  StackTable() = default;
  // These stacks, in order, as ids 0, 1, … (the first should be the empty one).
  StackTable(std::initializer_list<StackInfo> stacks);

  [[nodiscard]] std::size_t size() const { return starts_.size() - 1; }
  StackView operator[](std::uint32_t id) const {
    return {frames_.data(), frame_ids_.data() + starts_[id], static_cast<std::size_t>(starts_[id + 1] - starts_[id])};
  }
  StackView at(std::uint32_t id) const;  // throws std::out_of_range past the last

  // A stack of new frames, as the next id.
  std::uint32_t push_back(StackView frames);
  // For an interner: a frame as the next frame id, and a stack of frames added before.
  std::uint32_t add_frame(FrameInfo frame);
  std::uint32_t add_stack(std::span<const std::uint32_t> frame_ids);
  [[nodiscard]] std::span<const std::uint32_t> frame_ids(std::uint32_t id) const {
    return {frame_ids_.data() + starts_[id], static_cast<std::size_t>(starts_[id + 1] - starts_[id])};
  }
  [[nodiscard]] const FrameInfo& frame(std::uint32_t id) const { return frames_[id]; }
  [[nodiscard]] std::size_t frame_count() const { return frames_.size(); }

 private:
  std::vector<FrameInfo> frames_;
  std::vector<std::uint32_t> frame_ids_;        // each stack's frames, one stack after another
  std::vector<std::uint64_t> starts_ = {0, 0};  // stack i is frame_ids_[starts_[i], starts_[i + 1])
};

}  // namespace gtanalyze
