// LEB128, the variable-length integers of DWARF and of Go's own tables (Go calls the unsigned
// kind a uvarint: .go.buildinfo strings, pclntab's pc-value tables). The one reader of them in
// the collector: every byte is checked against the end of the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gtanalyze::collector {

// The unsigned value at bytes[pos], and pos past it; nullopt when the bytes end first or the
// value runs past ten bytes.
inline std::optional<std::uint64_t> read_uleb128(std::string_view bytes, std::uint64_t& pos) {
  std::uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(bytes[pos++]);
    v |= std::uint64_t{c & 0x7fu} << shift;
    if (!(c & 0x80)) return v;
  }
  return std::nullopt;
}

// The signed value at bytes[pos], and pos past it; nullopt as for read_uleb128.
inline std::optional<std::int64_t> read_sleb128(std::string_view bytes, std::uint64_t& pos) {
  std::uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(bytes[pos++]);
    v |= std::uint64_t{c & 0x7fu} << shift;
    if (!(c & 0x80)) {
      // Sign-extend through unsigned arithmetic (the value may be INT64_MIN).
      if (shift + 7 < 64 && (c & 0x40)) v |= ~std::uint64_t{0} << (shift + 7);
      return static_cast<std::int64_t>(v);
    }
  }
  return std::nullopt;
}

}  // namespace gtanalyze::collector
