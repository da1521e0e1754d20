// ByteSource: plain, gzip and zstd input recognised by magic bytes, read in pieces, and clear
// errors for missing files, directories and corrupt compressed data.
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <catch2/catch_test_macros.hpp>
#include <sstream>
#include <string>

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

TEST_CASE("corrupt or truncated compressed input is an error, not garbage") {
  const std::string plain = sample();
  std::string gz = compress(plain, bio::gzip_compressor());
  std::string zs = compress(plain, bio::zstd_compressor());
  for (std::string bad : {gz.substr(0, gz.size() / 2), zs.substr(0, zs.size() / 2)}) {
    auto source = ByteSource::from_memory(bad);
    std::string buf(1 << 16, '\0');
    bool failed = false;
    std::size_t total = 0;
    for (int i = 0; i < 100 && !failed; i++) {
      auto got = source->read(buf.data(), buf.size());
      if (!got) {
        failed = true;
        CHECK(got.error().message.find("decompression failed") != std::string::npos);
      } else if (*got == 0) {
        break;
      } else {
        total += *got;
      }
    }
    // Either the decompressor reports the damage, or it stops short; it never invents bytes.
    CHECK((failed || total < plain.size()));
  }
  std::string flipped = zs;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  auto source = ByteSource::from_memory(flipped);
  std::string buf(1 << 16, '\0');
  bool failed = false;
  std::string out;
  for (int i = 0; i < 100; i++) {
    auto got = source->read(buf.data(), buf.size());
    if (!got) {
      failed = true;
      break;
    }
    if (*got == 0) break;
    out.append(buf.data(), *got);
  }
  CHECK((failed || out != plain));
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
