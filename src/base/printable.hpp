// Text from a trace (names, reasons, messages) or from the command line, made safe for one line of
// a terminal: control characters (C0, DEL, C1) and bytes that are not UTF-8 become escapes (\n,
// \t, \x1b, \u009b), so a goroutine or region name can neither break a line of a report nor send
// the terminal an escape sequence. Valid UTF-8 passes unchanged.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/utf8.hpp"

namespace gtanalyze {

// Appends s to out as printable(s).
inline void append_printable(std::string& out, std::string_view s) {
  char escape[16];
  for (std::size_t i = 0; i < s.size();) {
    std::size_t width = 1;
    const std::int32_t r = decode_rune(s, i, width);
    if ((r >= 0x20 && r < 0x7f) || r >= 0xa0) {
      out.append(s.substr(i, width));
    } else if (r >= 0x80) {  // U+0080..U+009F: C1 controls (0x9b is a CSI)
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(r));
      out += escape;
    } else {  // C0 controls, DEL, and bytes that are not UTF-8 (r is -1)
      switch (r) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned char>(s[i])); out += escape;
      }
    }
    i += width;
  }
}

inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_printable(out, s);
  return out;
}

// Whether printable(s) is s: printable ASCII only (the common case, checked without copying).
inline bool is_plain(std::string_view s) {
  // No early exit: the loop vectorises (a dump checks every function name it prints).
  bool plain = true;
  for (const char c : s) plain &= static_cast<unsigned char>(c - 0x20) < 0x5f;
  return plain;
}

}  // namespace gtanalyze
