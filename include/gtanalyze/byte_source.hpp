// The bytes of a trace: a file, standard input or memory, transparently decompressed when the
// first bytes are a gzip or zstd magic number (never guessed from the file name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gtanalyze/error.hpp"

namespace gtanalyze {

enum class Compression : std::uint8_t { None, Gzip, Zstd };

const char* compression_name(Compression c);

class ByteSource {
 public:
  // Opens a path, or standard input for "-". Errors name the path and the system's reason.
  static Result<std::unique_ptr<ByteSource>> open(const std::string& path);
  // A source over bytes in memory (tests, fuzzers); `name` is used in messages. The bytes must
  // outlive the source.
  static std::unique_ptr<ByteSource> from_memory(std::string_view bytes, std::string name = "<memory>");

  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to n bytes into dst and returns how many were read: fewer than n only at the end of
  // the input, 0 once it is exhausted. Decompression and read failures are errors at offset().
  Result<std::size_t> read(char* dst, std::size_t n);

  // The next n bytes (fewer at the end of the input) without consuming them, so a caller can
  // pick a decoder by magic number. n is small (a header).
  Result<std::string_view> peek(std::size_t n);

  const std::string& name() const;
  Compression compression() const;
  // Bytes delivered by read() so far: offsets in the decompressed stream.
  std::uint64_t offset() const;
  // Bytes of the underlying file consumed so far and its size, when it is a regular file (for
  // progress reports on compressed input, where offset() runs ahead of the file). raw_offset()
  // may be called from another thread than the one reading.
  std::uint64_t raw_offset() const;
  std::optional<std::uint64_t> raw_size() const;

 private:
  struct Impl;
  explicit ByteSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gtanalyze
