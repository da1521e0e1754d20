// A vector in chunks of fixed size: growing never moves the elements (references stay valid) nor
// needs room for them twice, and the chunks can be freed one by one as the elements are consumed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
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
  // Element i is done with (each once, in any order): its chunk is freed once all the chunk's
  // elements are. The elements of a freed chunk must not be accessed again, nor more added.
  void consumed(std::size_t i) {
    const std::size_t chunk = i / kChunkSize;
    if (consumed_.size() < chunks_.size()) consumed_.resize(chunks_.size());
    const std::size_t in_chunk = std::min(kChunkSize, size_ - chunk * kChunkSize);
    if (++consumed_[chunk] == in_chunk) chunks_[chunk].reset();
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::vector<std::uint16_t> consumed_;  // per chunk, once consumed() is first called
  std::size_t size_ = 0;
};

}  // namespace gtanalyze::base
