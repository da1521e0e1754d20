// LEB128, the variable-length integers of DWARF and of Go's own tables (Go calls the unsigned
// kind a uvarint: .go.buildinfo strings, pclntab's pc-value tables). The one reader of them in
// the collector: every byte is checked against the end of the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gtanalyze::collector {

// The 7-bit groups of the value at bytes[pos], and pos past it; nullopt when the bytes end first
// or the value runs past ten bytes.
struct Leb128Bits {
  std::uint64_t bits = 0;
  unsigned width = 0;  // 7 per byte read (more than 64 for a ten-byte value)
};
inline std::optional<Leb128Bits> read_leb128_bits(std::string_view bytes, std::uint64_t& pos) {
  Leb128Bits v;
  for (; v.width < 64; v.width += 7) {
    if (pos >= bytes.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(bytes[pos++]);
    v.bits |= std::uint64_t{c & 0x7fu} << v.width;
    if (!(c & 0x80)) {
      v.width += 7;
      return v;
    }
  }
  return std::nullopt;
}

inline std::optional<std::uint64_t> read_uleb128(std::string_view bytes, std::uint64_t& pos) {
  const auto v = read_leb128_bits(bytes, pos);
  if (!v) return std::nullopt;
  return v->bits;
}

// Sign-extended from the top bit read, through unsigned arithmetic (the value may be INT64_MIN).
inline std::optional<std::int64_t> read_sleb128(std::string_view bytes, std::uint64_t& pos) {
  const auto v = read_leb128_bits(bytes, pos);
  if (!v) return std::nullopt;
  std::uint64_t bits = v->bits;
  if (v->width < 64 && (bits >> (v->width - 1) & 1)) bits |= ~std::uint64_t{0} << v->width;
  return static_cast<std::int64_t>(bits);
}

}  // namespace gtanalyze::collector
