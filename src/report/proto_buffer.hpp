// An output buffer and a protobuf field writer over it, for encoders that write hundreds of
// millions of small fields (the Perfetto export). Room for the largest the fields of a message can
// take is reserved once; each field is then a few stores at a cursor, with no capacity check per
// byte and no intermediate buffer to copy from (libprotozero's writer, which this replaced, checked
// capacity per byte and wanted each submessage's length known up front or moved it afterwards).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>

namespace gtanalyze::report {

// How many bytes the varint of v takes.
inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) n++;
  return n;
}

// Writes the varint of v at `at`; returns the end of it.
inline char* write_varint(char* at, std::uint64_t v) {
  while (v >= 0x80) {
    *at++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *at++ = static_cast<char>(v);
  return at;
}

class ProtoBuffer {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const char* data() const { return data_.get(); }
  [[nodiscard]] char* data() { return data_.get(); }
  [[nodiscard]] std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }

  // Room for n more bytes, written at the pointer returned, then kept by commit(end of them).
  char* reserve(std::size_t n) {
    if (n > capacity_ - size_) grow(n);
    return data_.get() + size_;
  }
  void commit(const char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
  // Drops the bytes from offset `size` on.
  void truncate(std::size_t size) { size_ = std::min(size, size_); }

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

// Writes protobuf fields at the end of a ProtoBuffer, into room reserved for at most `max_bytes`
// (asserted), until finish(). Field numbers must be below 2048 (keys of at most 2 bytes).
class ProtoWriter {
 public:
  // The most a varint or fixed64 field takes, and a submessage's key and length.
  static constexpr std::size_t kMaxField = 12;
  static constexpr std::size_t kMaxVarint = 10;

  ProtoWriter(ProtoBuffer& buffer, std::size_t max_bytes)
      : buffer_(buffer), at_(buffer.reserve(max_bytes)), end_(at_ + max_bytes) {}
  ProtoWriter(const ProtoWriter&) = delete;
  ProtoWriter& operator=(const ProtoWriter&) = delete;
  // Keeps what was written (a writer not finished writes nothing). The asserts find an overrun
  // where it happens; without them it is still found here, if later than it should have been.
  void finish() {
    if (at_ > end_) throw std::logic_error("protobuf writer: more written than reserved");
    buffer_.commit(at_);
  }

  void varint(int field, std::uint64_t value) {
    key(field, kVarintType);
    put(value);
  }
  void int64(int field, std::int64_t value) { varint(field, static_cast<std::uint64_t>(value)); }
  void fixed64(int field, std::uint64_t value) {
    key(field, kFixed64Type);
    assert(end_ - at_ >= 8);
    for (int i = 0; i < 8; i++) *at_++ = static_cast<char>(value >> (8 * i));
  }
  void bytes(int field, std::string_view data) {
    key(field, kBytesType);
    put(data.size());
    assert(static_cast<std::size_t>(end_ - at_) >= data.size());
    if (!data.empty()) std::memcpy(at_, data.data(), data.size());
    at_ += data.size();
  }
  void packed_varints(int field, std::span<const std::uint64_t> values) {
    char* length = open(field);
    for (const std::uint64_t v : values) put(v);
    close(length);
  }

  // The length of a submessage so far: the bytes written since open() returned `length`.
  [[nodiscard]] std::size_t length_since(const char* length) const {
    return static_cast<std::size_t>(at_ - (length + 1));
  }
  // A submessage: open() before its fields, close() with what open() returned after them. Its
  // length is written in one byte, which holds nearly all (under 128 bytes); a longer one's
  // fields are moved to make room for more.
  char* open(int field) {
    key(field, kBytesType);
    assert(at_ < end_);
    return at_++;
  }
  void close(char* length) {
    const std::size_t n = length_since(length);
    if (n < 0x80) {
      *length = static_cast<char>(n);
      return;
    }
    const std::size_t extra = varint_size(n) - 1;
    assert(static_cast<std::size_t>(end_ - at_) >= extra);
    std::memmove(length + 1 + extra, length + 1, n);
    char* const fields_end = at_ + extra;
    at_ = length;
    put(n);
    at_ = fields_end;
  }

 private:
  static constexpr unsigned kVarintType = 0, kFixed64Type = 1, kBytesType = 2;

  void key(int field, unsigned type) {
    assert(field > 0 && field < 2048);
    put(static_cast<std::uint64_t>(field) << 3u | type);
  }
  void put(std::uint64_t v) {
    assert(static_cast<std::size_t>(end_ - at_) >= varint_size(v));
    at_ = write_varint(at_, v);
  }

  ProtoBuffer& buffer_;
  char* at_;
  char* end_;
};

}  // namespace gtanalyze::report
