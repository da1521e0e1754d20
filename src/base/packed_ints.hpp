// A list of int64 values that is appended to and read back in order, stored as zigzag varints:
// small values (of either sign) take 1–3 bytes instead of 8. Held in a std::string, whose
// inline buffer keeps a short list off the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gtanalyze::base {

class PackedInts {
 public:
  void push_back(std::int64_t v) {
    std::uint64_t z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    char buf[10];
    std::size_t n = 0;
    while (z >= 0x80) {
      buf[n++] = static_cast<char>((z & 0x7f) | 0x80);
      z >>= 7;
    }
    buf[n++] = static_cast<char>(z);
    bytes_.append(buf, n);
  }
  // f(value) for each value, in the order they were pushed.
  template <class F>
  void for_each(F&& f) const {
    std::uint64_t z = 0;
    unsigned shift = 0;
    for (const char ch : bytes_) {
      const auto b = static_cast<std::uint8_t>(ch);
      z |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        f(static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1)));
        z = 0;
        shift = 0;
      } else {
        shift += 7;
      }
    }
  }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }

 private:
  std::string bytes_;
};

}  // namespace gtanalyze::base
