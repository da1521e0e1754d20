// A vector in chunks of fixed size: growing never moves the elements (references stay valid) nor
// needs room for them twice, and the chunks can be freed one by one as the elements are consumed.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace gtanalyze::base {

template <class T>
class ChunkedVector {
 public:
  static constexpr std::size_t kChunkSize = 1024;

  T& operator[](std::size_t i) { return chunks_[i / kChunkSize][i % kChunkSize]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunkSize][i % kChunkSize]; }
  [[nodiscard]] std::size_t size() const { return size_; }
  // A new, value-initialised element at the end.
  T& emplace_back() {
    if (size_ % kChunkSize == 0) chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    return (*this)[size_++];
  }
  // For elements consumed in order: frees the chunk of element i once i is its last one (or the
  // last element). The elements of a freed chunk must not be accessed again.
  void consumed(std::size_t i) {
    if (i % kChunkSize == kChunkSize - 1 || i + 1 == size_) chunks_[i / kChunkSize].reset();
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace gtanalyze::base
