// An output buffer for libprotozero's writer, for encoders that write hundreds of millions of
// small fields (the Perfetto export). protozero writes a varint one push_back at a time; on a
// std::string each also checks the short-string form and writes a terminator, which measured
// 27% of an export's instructions. Here a push_back is a capacity check and a store.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <protozero/buffer_tmpl.hpp>

namespace gtanalyze::report {

class ProtoBuffer {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const char* data() const { return data_.get(); }
  char* at(std::size_t pos) { return data_.get() + pos; }
  void clear() { size_ = 0; }

  void push_back(char c) {
    if (size_ == capacity_) grow(1);
    data_[size_++] = c;
  }
  void append(const char* bytes, std::size_t n) {
    reserve_additional(n);
    if (n != 0) std::memcpy(data_.get() + size_, bytes, n);
    size_ += n;
  }
  void append_zeros(std::size_t n) {
    reserve_additional(n);
    std::memset(data_.get() + size_, 0, n);
    size_ += n;
  }
  void reserve_additional(std::size_t n) {
    if (n > capacity_ - size_) grow(n);
  }
  void shrink_to(std::size_t n) { size_ = std::min(n, size_); }
  void erase(std::size_t from, std::size_t to) {
    std::memmove(data_.get() + from, data_.get() + to, size_ - to);
    size_ -= to - from;
  }

 private:
  void grow(std::size_t n) {
    const std::size_t capacity = std::max({capacity_ * 2, size_ + n, std::size_t{4096}});
    auto data = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace gtanalyze::report

// How protozero's basic_pbf_writer writes into a ProtoBuffer.
template <>
struct protozero::buffer_customization<gtanalyze::report::ProtoBuffer> {
  using Buffer = gtanalyze::report::ProtoBuffer;
  static std::size_t size(const Buffer* b) noexcept { return b->size(); }
  static void append(Buffer* b, const char* data, std::size_t count) { b->append(data, count); }
  static void append_zeros(Buffer* b, std::size_t count) { b->append_zeros(count); }
  static void resize(Buffer* b, std::size_t size) { b->shrink_to(size); }
  static void reserve_additional(Buffer* b, std::size_t size) { b->reserve_additional(size); }
  static void erase_range(Buffer* b, std::size_t from, std::size_t to) { b->erase(from, to); }
  static char* at_pos(Buffer* b, std::size_t pos) { return b->at(pos); }
  static void push_back(Buffer* b, char ch) { b->push_back(ch); }
};
