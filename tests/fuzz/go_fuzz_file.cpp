// Decodes the Go-quoted []byte literal of a "go test fuzz v1" file (strconv.Quote's escapes).
#include "fuzz/go_fuzz_file.hpp"

namespace gtanalyze::fuzz {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned long r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xc0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xe0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (r & 0x3f));
  }
}

}  // namespace

std::optional<std::string> decode_go_fuzz_file(std::string_view file) {
  constexpr std::string_view kMagic = "go test fuzz v1\n[]byte(\"";
  if (file.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  std::string out;
  for (std::size_t i = kMagic.size(); i < file.size(); i++) {
    const char c = file[i];
    if (c == '"') return file.substr(i + 1, 1) == ")" ? std::optional(out) : std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == file.size()) return std::nullopt;
    const char e = file[i];
    std::size_t digits = 0;
    switch (e) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\':
      case '"':
      case '\'': out += e; break;
      case 'x': digits = 2; break;
      case 'u': digits = 4; break;
      case 'U': digits = 8; break;
      default:  // \NNN octal
        if (e < '0' || e > '7' || i + 2 >= file.size()) return std::nullopt;
        out += static_cast<char>(((e - '0') << 6) | ((file[i + 1] - '0') << 3) | (file[i + 2] - '0'));
        i += 2;
        break;
    }
    if (digits == 0) continue;
    if (i + digits >= file.size()) return std::nullopt;
    unsigned long v = 0;
    for (std::size_t k = 1; k <= digits; k++) {
      const int h = hex(file[i + k]);
      if (h < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned long>(h);
    }
    i += digits;
    if (e == 'x') {
      out += static_cast<char>(v);
    } else {
      append_utf8(out, v);
    }
  }
  return std::nullopt;
}

}  // namespace gtanalyze::fuzz
