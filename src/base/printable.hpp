// Text from a trace (names, reasons, messages) or from the command line, made safe for one line of
// a terminal: control characters (C0, DEL, C1) and bytes that are not UTF-8 become escapes (\n,
// \t, \x1b, \u009b), so a goroutine or region name can neither break a line of a report nor send
// the terminal an escape sequence. Valid UTF-8 passes unchanged.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace gtanalyze {

// The length of the valid UTF-8 sequence of two or more bytes at s[i]; 0 if there is none.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the bounds of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // beyond U+10FFFF
  }
  if (n == 0 || i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; k++)
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  return n;
}

inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char escape[8];
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      i++;
      continue;
    }
    if (const std::size_t n = utf8_sequence(s, i); n != 0) {
      const auto second = static_cast<unsigned char>(s[i + 1]);
      if (c == 0xc2 && second < 0xa0) {  // U+0080..U+009F: C1 controls (0x9b is a CSI)
        std::snprintf(escape, sizeof escape, "\\u%04x", second);
        out += escape;
      } else {
        out.append(s.substr(i, n));
      }
      i += n;
      continue;
    }
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: std::snprintf(escape, sizeof escape, "\\x%02x", c); out += escape;
    }
    i++;
  }
  return out;
}

}  // namespace gtanalyze
