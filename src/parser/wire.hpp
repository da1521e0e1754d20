// Reading the wire bytes of both trace formats: Go's uvarint (encoding/binary) decoded in one
// place, and the bounded cursor every decoder reads through. Every read checks what remains and
// leaves the cursor where it was when it fails; Go's int64 arithmetic is in go_arith.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parser/spec.hpp"

namespace gtanalyze::parser {

// The longest uvarint of a 64-bit value (Go's binary.MaxVarintLen64).
inline constexpr std::size_t kMaxUvarintLen = 10;

// How a read ended. Truncated: the bytes ran out first. Corrupt: a uvarint longer than
// kMaxUvarintLen bytes or above 64 bits (Go's binary.Uvarint overflow).
enum class ReadStatus : std::uint8_t { Ok, Truncated, Corrupt };

// Every event batch's payload is followed in memory by this many zero bytes (generation.cpp
// appends them): room for the longest timed event, a type byte then a timestamp and
// kMaxTimedArgs arguments of at most kMaxUvarintLen bytes each. So the event decoder may read
// all of an event's values with padded_uvarint and check after that they ended inside the batch.
inline constexpr std::size_t kEventPadding = 1 + (1 + kMaxTimedArgs) * kMaxUvarintLen;

// The uvarint fast path of the event decoder's inner loop, where p has kMaxUvarintLen
// readable bytes (an event batch and its kEventPadding): no bound checks, and one-byte values
// (most) leave first. Whether the value ended inside the batch is the caller's check (a value cut
// off by the batch's end reads the zeros after it). Returns the bytes taken, 0 for a value longer
// than kMaxUvarintLen bytes or above 64 bits. Kept apart from ByteReader::uvarint, whose shape
// suits the old format's decoder (callgrind, dump --decode-only: +5.2% instructions on
// go1.26-100M with that shape here, +0.5% on go1.21-15M with this one there).
inline std::size_t padded_uvarint(const std::uint8_t* p, std::uint64_t& out) {
  if (p[0] < 0x80) {
    out = p[0];
    return 1;
  }
  std::uint64_t x = p[0] & 0x7fu;
  for (std::size_t i = 1; i < kMaxUvarintLen; i++) {
    const std::uint8_t b = p[i];
    if (b < 0x80) {
      if (i == kMaxUvarintLen - 1 && b > 1) return 0;
      out = x | std::uint64_t{b} << (7 * i);
      return i + 1;
    }
    x |= std::uint64_t{b & 0x7fu} << (7 * i);
  }
  return 0;
}

// A bounded cursor over bytes in memory.
class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::string_view bytes) : ByteReader(bytes, 0, bytes.size()) {}
  // The bytes [begin, end) of `bytes` (begin <= end <= bytes.size()); offsets count from the
  // start of `bytes`.
  ByteReader(std::string_view bytes, std::size_t begin, std::size_t end)
      : base_(reinterpret_cast<const std::uint8_t*>(bytes.data())), p_(base_ + begin), end_(base_ + end) {}

  [[nodiscard]] std::size_t offset() const { return static_cast<std::size_t>(p_ - base_); }
  [[nodiscard]] std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  [[nodiscard]] bool empty() const { return p_ == end_; }

  ReadStatus u8(std::uint8_t& out) {
    if (p_ == end_) return ReadStatus::Truncated;
    out = *p_++;
    return ReadStatus::Ok;
  }

  // Go's binary.Uvarint: at most kMaxUvarintLen bytes, the last at most 1.
  ReadStatus uvarint(std::uint64_t& out) {
    // One bound check per number when the longest one fits (nearly always), else one per byte.
    const std::size_t left = remaining();
    const bool roomy = left >= kMaxUvarintLen;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < kMaxUvarintLen; i++) {
      if (!roomy && i >= left) return ReadStatus::Truncated;
      const std::uint64_t b = p_[i];
      x |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        if (i == kMaxUvarintLen - 1 && b > 1) return ReadStatus::Corrupt;
        p_ += i + 1;
        out = x;
        return ReadStatus::Ok;
      }
    }
    return ReadStatus::Corrupt;
  }

  // Several uvarints in a row: the status of the first that fails.
  template <class... Values>
  ReadStatus uvarints(Values&... out) {
    ReadStatus s = ReadStatus::Ok;
    (void)(((s = uvarint(out)) == ReadStatus::Ok) && ...);
    return s;
  }

  // The next n bytes.
  ReadStatus bytes(std::uint64_t n, std::string_view& out) {
    if (n > remaining()) return ReadStatus::Truncated;
    out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n));
    p_ += n;
    return ReadStatus::Ok;
  }

 private:
  const std::uint8_t* base_ = nullptr;
  const std::uint8_t* p_ = nullptr;
  const std::uint8_t* end_ = nullptr;
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
