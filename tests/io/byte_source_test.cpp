// ByteSource: plain, gzip and zstd input recognised by magic bytes, read in pieces, and clear
// errors for missing files, directories and corrupt compressed data.
#include <zstd.h>
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <catch2/catch_test_macros.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include "gtanalyze/byte_source.hpp"

using namespace gtanalyze;
namespace bio = boost::iostreams;

namespace {

template <class Compressor>
std::string compress(const std::string& plain, Compressor compressor) {
  std::ostringstream out;
  {
    bio::filtering_ostream stream;
    stream.push(compressor);
    stream.push(out);
    stream << plain;
  }
  return out.str();
}

// Reads everything in chunks of `chunk` bytes.
std::string read_all(ByteSource& source, std::size_t chunk) {
  std::string all, buf(chunk, '\0');
  for (;;) {
    auto got = source.read(buf.data(), buf.size());
    REQUIRE(got.has_value());
    if (*got == 0) break;
    all.append(buf.data(), *got);
  }
  return all;
}

std::string sample() {
  std::string s = std::string("go 1.22 trace\0\0\0", 16);
  for (int i = 0; i < 5000; i++) s += static_cast<char>(i * 7 % 251);
  return s;
}

}  // namespace

TEST_CASE("plain, gzip and zstd bytes read back identically") {
  const std::string plain = sample();
  struct Case {
    std::string bytes;
    Compression expect;
  };
  const Case cases[] = {
      {plain, Compression::None},
      {compress(plain, bio::gzip_compressor()), Compression::Gzip},
      {compress(plain, bio::zstd_compressor()), Compression::Zstd},
  };
  for (const auto& c : cases) {
    for (std::size_t chunk : {1u, 3u, 4096u, 1u << 20}) {
      auto source = ByteSource::from_memory(c.bytes, "sample");
      CHECK(source->compression() == c.expect);
      CHECK(read_all(*source, chunk) == plain);
      CHECK(source->offset() == plain.size());
      CHECK(source->raw_offset() == c.bytes.size());
    }
  }
}

TEST_CASE("inputs shorter than a magic number are plain") {
  for (std::string tiny : {std::string(""), std::string("\x1f"), std::string("ab")}) {
    auto source = ByteSource::from_memory(tiny);
    CHECK(source->compression() == Compression::None);
    CHECK(read_all(*source, 2) == tiny);
  }
}

// Bytes that do not compress: a gzip stream cut at a fraction of its length holds about that
// fraction of them.
std::string incompressible(std::size_t n) {
  std::string s = std::string("go 1.22 trace\0\0\0", 16);
  std::uint64_t x = 88172645463325252ull;
  while (s.size() < n) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    s += static_cast<char>(x);
  }
  return s;
}

// Reads until the source fails or ends; returns the bytes and the failure, if any.
std::pair<std::string, std::optional<Error>> read_until_failure(ByteSource& source, std::size_t chunk) {
  std::string all, buf(chunk, '\0');
  for (;;) {
    auto got = source.read(buf.data(), buf.size());
    if (!got) return {all, got.error()};
    if (*got == 0) return {all, std::nullopt};
    all.append(buf.data(), *got);
  }
}

TEST_CASE("a gzip stream cut short: every byte before the cut, then an error saying so") {
  const std::string plain = incompressible(300000);
  const std::string gz = compress(plain, bio::gzip_compressor());
  // In the deflate data, and in the footer (all the data is there; its checksum is not).
  for (std::size_t cut : {gz.size() * 6 / 10, gz.size() - 3}) {
    for (std::size_t chunk : {1u, 4096u, 1u << 20}) {
      auto source = ByteSource::from_memory(std::string_view(gz).substr(0, cut));
      auto [read, failure] = read_until_failure(*source, chunk);
      CHECK(plain.starts_with(read));
      // What zlib decoded before the cut, but for its last output buffer.
      CHECK(read.size() + 64 * 1024 > cut * plain.size() / gz.size());
      REQUIRE(failure.has_value());
      CHECK(failure->code == ErrorCode::Truncated);
      CHECK(failure->message == "the gzip stream ends early: the file is cut short");
      CHECK(failure->offset == read.size());
      auto again = source->read(std::string(16, '\0').data(), 16);
      CHECK((!again && again.error().code == ErrorCode::Truncated));
    }
  }
}

TEST_CASE("a damaged compressed stream is an error, not a cut, and never garbage") {
  const std::string plain = incompressible(300000);
  std::string gz = compress(plain, bio::gzip_compressor());
  // The footer's checksum: the data decompresses, then the check fails at the end of the input.
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 0x55);
  auto source = ByteSource::from_memory(gz);
  auto [read, failure] = read_until_failure(*source, 4096);
  CHECK(plain.starts_with(read));
  CHECK(read.size() + 64 * 1024 > plain.size());
  REQUIRE(failure.has_value());
  CHECK(failure->code == ErrorCode::Corrupt);
  CHECK(failure->message == "gzip decompression failed: the data does not match the stream's checksum (CRC-32)");

  // zstd damaged: the frame's checksum catches it (the zstd tool writes one by default).
  std::string zs(ZSTD_compressBound(plain.size()), '\0');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  const std::size_t size = ZSTD_compress2(cctx, zs.data(), zs.size(), plain.data(), plain.size());
  ZSTD_freeCCtx(cctx);
  REQUIRE_FALSE(ZSTD_isError(size));
  zs.resize(size);
  zs[zs.size() / 2] = static_cast<char>(zs[zs.size() / 2] ^ 0x55);
  auto z = ByteSource::from_memory(zs);
  // The damaged block's bytes come out before the check at the frame's end fails; the failure is
  // not a cut, so the run fails rather than keep them.
  auto [out, zfailure] = read_until_failure(*z, 1 << 16);
  REQUIRE(zfailure.has_value());
  CHECK(zfailure->code == ErrorCode::Corrupt);
  CHECK(zfailure->message.starts_with("zstd decompression failed: "));
}

// Boost's zstd filter took a stream cut inside a frame for a whole one: a cut trace read as
// empty ("not a Go execution trace") or as one whose last batch is short.
TEST_CASE("a zstd stream cut short: every byte before the cut, then an error saying so") {
  const std::string plain = incompressible(600000);
  const std::string zs = compress(plain, bio::zstd_compressor()) + compress(plain, bio::zstd_compressor());
  // Inside the magic number, in each frame's blocks, and the second frame's last byte.
  for (std::size_t cut : {std::size_t{2}, std::size_t{4}, zs.size() / 4, zs.size() * 3 / 4, zs.size() - 1}) {
    for (std::size_t chunk : {1u, 4096u, 1u << 20}) {
      auto source = ByteSource::from_memory(std::string_view(zs).substr(0, cut));
      auto [read, failure] = read_until_failure(*source, chunk);
      if (cut < 4) {  // too short to be zstd: plain bytes
        CHECK(read == zs.substr(0, cut));
        continue;
      }
      CHECK((plain + plain).starts_with(read));
      REQUIRE(failure.has_value());
      CHECK(failure->code == ErrorCode::Truncated);
      CHECK(failure->message == "the zstd stream ends early: the file is cut short");
      CHECK(failure->offset == read.size());
      // zstd's blocks are at most 128 KiB: all but the block the cut is in.
      CHECK(read.size() + (128 << 10) >= cut * 2 * plain.size() / zs.size());
    }
  }
  // Whole: both frames, not cut.
  auto whole = ByteSource::from_memory(zs);
  auto [read, failure] = read_until_failure(*whole, 4096);
  CHECK(read == plain + plain);
  CHECK_FALSE(failure.has_value());
}

TEST_CASE("missing files and directories are errors naming the reason") {
  auto missing = ByteSource::open("/nonexistent/trace.out");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == ErrorCode::Io);
  CHECK(missing.error().message.find("No such file") != std::string::npos);

  auto dir = ByteSource::open("/tmp");
  REQUIRE_FALSE(dir.has_value());
  CHECK(dir.error().message.find("directory") != std::string::npos);
}

TEST_CASE("peek shows the next bytes without consuming them") {
  const std::string plain = sample();
  std::string zs = compress(plain, bio::zstd_compressor());
  for (const std::string& bytes : {plain, zs}) {
    auto source = ByteSource::from_memory(bytes);
    auto head = source->peek(8);
    REQUIRE(head.has_value());
    CHECK(*head == plain.substr(0, 8));
    auto longer = source->peek(16);
    REQUIRE(longer.has_value());
    CHECK(*longer == plain.substr(0, 16));
    CHECK(source->offset() == 0);
    char buf[5];
    REQUIRE(*source->read(buf, 5) == 5);
    CHECK(std::string(buf, 5) == plain.substr(0, 5));
    auto after = source->peek(4);
    REQUIRE(after.has_value());
    CHECK(*after == plain.substr(5, 4));
    CHECK(read_all(*source, 7) == plain.substr(5));
    CHECK(source->offset() == plain.size());
  }
  auto tiny = ByteSource::from_memory("ab");
  CHECK(*tiny->peek(8) == "ab");
  CHECK(read_all(*tiny, 1) == "ab");
}

// Boost's gzip filter read zero padding after the stream as a cut header and lost the data decoded
// just before it (a whole Go 1.21 trace lost its stack table, silently), and never checked the
// footer's length. As gzip -d: members one after another, zeros after the last ignored, other
// bytes refused once every byte of the stream is delivered.
TEST_CASE("gzip: members in turn, zeros after the stream ignored, other bytes and a wrong length refused") {
  const std::string plain = incompressible(300000);
  const std::string gz = compress(plain, bio::gzip_compressor());
  for (std::size_t chunk : {1u, 4096u, 1u << 20}) {
    SECTION("zeros after the stream, chunk " + std::to_string(chunk)) {
      const std::string padded = gz + std::string(100, '\0');  // from_memory views it
      auto source = ByteSource::from_memory(padded);
      auto [read, failure] = read_until_failure(*source, chunk);
      CHECK_FALSE(failure.has_value());
      CHECK(read == plain);
    }
    SECTION("two members, chunk " + std::to_string(chunk)) {
      const std::string two = gz + compress("and more", bio::gzip_compressor());
      auto source = ByteSource::from_memory(two);
      auto [read, failure] = read_until_failure(*source, chunk);
      CHECK_FALSE(failure.has_value());
      CHECK(read == plain + "and more");
    }
    SECTION("other bytes after the stream, chunk " + std::to_string(chunk)) {
      const std::string junk = gz + std::string(10, '\0') + "junk";
      auto source = ByteSource::from_memory(junk);
      auto [read, failure] = read_until_failure(*source, chunk);
      CHECK(read == plain);
      REQUIRE(failure.has_value());
      CHECK(failure->code == ErrorCode::Corrupt);
      CHECK(failure->message == "gzip decompression failed: bytes after the end of the gzip stream are not gzip data");
      CHECK(failure->offset == plain.size());
    }
  }
  SECTION("the footer's length wrong (its last byte)") {
    std::string bad = gz;
    bad.back() = static_cast<char>(bad.back() ^ 0x01);
    auto source = ByteSource::from_memory(bad);
    auto [read, failure] = read_until_failure(*source, 4096);
    CHECK(plain.starts_with(read));
    REQUIRE(failure.has_value());
    CHECK(failure->code == ErrorCode::Corrupt);
    CHECK(failure->message == "gzip decompression failed: the data's length does not match the stream's footer");
  }
}
