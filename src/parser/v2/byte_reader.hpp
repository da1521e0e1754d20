// A bounded cursor over bytes in memory: the only way the decoders read wire data. Every read
// checks what remains; uvarints are limited to 10 bytes exactly as Go's encoding/binary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gtanalyze::parser {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::string_view bytes) : data_(bytes.data()), size_(bytes.size()) {}

  [[nodiscard]] std::size_t remaining() const { return size_ - pos_; }
  [[nodiscard]] bool empty() const { return pos_ == size_; }
  [[nodiscard]] std::size_t position() const { return pos_; }

  // False at the end of the bytes.
  bool u8(std::uint8_t& out) {
    if (pos_ == size_) return false;
    out = static_cast<std::uint8_t>(data_[pos_++]);
    return true;
  }

  // False when the bytes end inside the varint or it overflows 64 bits (then the cursor is left
  // where it was).
  bool uvarint(std::uint64_t& out) {
    std::uint64_t x = 0;
    unsigned shift = 0;
    for (std::size_t i = 0; i < 10 && pos_ + i < size_; i++) {
      const auto b = static_cast<std::uint8_t>(data_[pos_ + i]);
      if (b < 0x80) {
        if (i == 9 && b > 1) return false;  // more than 64 bits
        out = x | (static_cast<std::uint64_t>(b) << shift);
        pos_ += i + 1;
        return true;
      }
      x |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      shift += 7;
    }
    return false;
  }

  // The next n bytes, or false when fewer remain.
  bool bytes(std::size_t n, std::string_view& out) {
    if (n > remaining()) return false;
    out = std::string_view(data_ + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
};

// Appends the uvarint encoding of v (as Go's binary.AppendUvarint).
template <class String>
void append_uvarint(String& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

}  // namespace gtanalyze::parser
