// The stack table's adding and checked lookups (include/gtanalyze/stacks.hpp).
#include "gtanalyze/stacks.hpp"

#include <algorithm>
#include <stdexcept>

namespace gtanalyze {

bool StackView::operator==(const StackView& o) const {
  return size_ == o.size_ && std::equal(begin(), end(), o.begin());
}

StackTable::StackTable(std::initializer_list<StackInfo> stacks) : starts_{0} {
  for (const StackInfo& s : stacks) push_back(s);
}

StackView StackTable::at(std::uint32_t id) const {
  if (id >= size())
    throw std::out_of_range("stack id " + std::to_string(id) + " past the table's " + std::to_string(size()));
  return (*this)[id];
}

std::uint32_t StackTable::push_back(StackView frames) {
  // Read into a list first: `frames` may view this table, whose frames the adding moves.
  std::vector<std::uint32_t> ids;
  ids.reserve(frames.size());
  for (FrameInfo& f : frames.copy()) ids.push_back(add_frame(std::move(f)));
  return add_stack(ids);
}

std::uint32_t StackTable::add_frame(FrameInfo frame) {
  frames_.push_back(std::move(frame));
  return static_cast<std::uint32_t>(frames_.size() - 1);
}

std::uint32_t StackTable::add_stack(std::span<const std::uint32_t> frame_ids) {
  frame_ids_.insert(frame_ids_.end(), frame_ids.begin(), frame_ids.end());
  starts_.push_back(frame_ids_.size());
  return static_cast<std::uint32_t>(size() - 1);
}

}  // namespace gtanalyze
