// floor: the physical limit of decoding a trace on this machine, for tools/bench/run.sh.
//
// Reads FILE in large chunks with read(2) and decodes every byte as part of one
// unsigned-LEB128 (uvarint) stream, the encoding of nearly every field of a Go trace.
// No event is interpreted, nothing is kept: whatever a real decoder does on top of
// this is its overhead. Prints "varints bytes checksum" (the checksum keeps the
// compiler from dropping the loop).
//
// Standalone on purpose (no project headers): run.sh builds it with
//   g++ -O2 -std=c++20 floor.cpp -o floor
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: floor FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    std::fprintf(stderr, "floor: %s: %s\n", argv[1], std::strerror(errno));
    return 2;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<unsigned char> buf(std::size_t{4} << 20);  // 4 MiB chunks
  std::uint64_t value = 0, checksum = 0, varints = 0, bytes = 0;
  unsigned shift = 0;
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "floor: %s: %s\n", argv[1], std::strerror(errno));
      return 2;
    }
    if (n == 0) break;
    bytes += static_cast<std::uint64_t>(n);
    // The varint state carries over chunk boundaries, so a value split between two
    // reads is decoded like any other.
    for (const unsigned char* p = buf.data(); p != buf.data() + n; ++p) {
      unsigned char b = *p;
      if (shift < 64) value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        checksum += value;
        ++varints;
        value = 0;
        shift = 0;
      } else {
        shift += 7;
      }
    }
  }
  close(fd);
  std::printf("%llu %llu %llu\n", static_cast<unsigned long long>(varints), static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(checksum));
  return 0;
}
