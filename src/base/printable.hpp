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

inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
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
  return out;
}

}  // namespace gtanalyze
