// UTF-8 decoding, shared by the dump (Go's quoting) and printable().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gtanalyze {

// Decodes one UTF-8 rune at s[i]; width 1 and -1 for an invalid byte (Go's utf8.DecodeRuneInString).
inline std::int32_t decode_rune(std::string_view s, std::size_t i, std::size_t& width) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  width = 1;
  if (b0 < 0x80) return b0;
  auto cont = [&](std::size_t k) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    const int c1 = cont(1);
    if (c1 < 0) return -1;
    width = 2;
    return ((b0 & 0x1F) << 6) | c1;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const int c1 = cont(1), c2 = cont(2);
    if (c1 < 0 || c2 < 0) return -1;
    const std::int32_t r = ((b0 & 0x0F) << 12) | (c1 << 6) | c2;
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return -1;
    width = 3;
    return r;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const int c1 = cont(1), c2 = cont(2), c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return -1;
    const std::int32_t r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (r < 0x10000 || r > 0x10FFFF) return -1;
    width = 4;
    return r;
  }
  return -1;
}

// Whether s is all valid UTF-8.
inline bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0, width = 0; i < s.size(); i += width)
    if (decode_rune(s, i, width) < 0) return false;
  return true;
}

// s as Go reads it: each byte that is not part of a valid UTF-8 sequence is U+FFFD, one per byte
// (utf8.DecodeRuneInString's RuneError of width 1), in encoding/json and regexp alike.
// ("rec\xe2\x82" is "rec\uFFFD\uFFFD"; nlohmann's replacement gives one.) Valid text comes back
// as it is; other text is replaced into `storage`, which the result then views.
inline std::string_view as_valid_utf8(std::string_view s, std::string& storage) {
  if (is_valid_utf8(s)) return s;
  storage.clear();
  for (std::size_t i = 0, width = 0; i < s.size(); i += width) {
    if (decode_rune(s, i, width) < 0)
      storage += "\xEF\xBF\xBD";
    else
      storage.append(s.substr(i, width));
  }
  return storage;
}

}  // namespace gtanalyze
