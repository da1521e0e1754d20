// ByteSource: the only code that touches file descriptors and Boost.Iostreams.
#include "gtanalyze/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/filtering_streambuf.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <zlib.h>
#include <zstd.h>

namespace gtanalyze {
namespace {

namespace bio = boost::iostreams;

constexpr unsigned char kGzipMagic[] = {0x1f, 0x8b};
constexpr unsigned char kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr std::size_t kSniffBytes = sizeof(kZstdMagic);

bool starts_with(std::string_view bytes, const unsigned char* magic, std::size_t n) {
  return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
}

// The undecoded input: the sniffed prefix first, then the rest of the file descriptor or of the
// memory block. Counts what it hands out so progress can be reported on compressed input.
struct RawInput {
  int fd = -1;  // -1 for memory input
  bool owns_fd = false;
  std::string_view memory;  // the rest of a memory input
  std::string prefix;       // bytes read ahead to sniff the compression
  std::size_t prefix_pos = 0;
  // Atomic so that a progress report on another thread may read it while a reader thread reads.
  std::atomic<std::uint64_t> consumed{0};

  ~RawInput() {
    if (owns_fd) ::close(fd);
  }

  // Reads up to n bytes; 0 at the end; -1 with errno set on failure.
  long read(char* dst, std::size_t n) {
    std::size_t got = 0;
    if (prefix_pos < prefix.size()) {
      got = std::min(n, prefix.size() - prefix_pos);
      std::memcpy(dst, prefix.data() + prefix_pos, got);
      prefix_pos += got;
    } else if (fd < 0) {
      got = std::min(n, memory.size());
      std::memcpy(dst, memory.data(), got);
      memory.remove_prefix(got);
    } else {
      ssize_t r;
      do {
        r = ::read(fd, dst, n);
      } while (r < 0 && errno == EINTR);
      if (r < 0) return -1;
      got = static_cast<std::size_t>(r);
    }
    consumed.store(consumed.load(std::memory_order_relaxed) + got, std::memory_order_relaxed);
    return static_cast<long>(got);
  }
};

// A read of the file under a decompressor failed (errno's reason, not the data's).
struct ReadFailed : std::runtime_error {
  ReadFailed() : std::runtime_error(std::string("read failed: ") + std::strerror(errno)) {}
};

// A decompressor's input: a buffer refilled from RawInput.
struct InputBuffer {
  std::vector<char> bytes;
  bool ended = false;
  // The next bytes of the input; empty at its end.
  std::span<char> refill(RawInput& in) {
    if (ended) return {};
    const long r = in.read(bytes.data(), bytes.size());
    if (r < 0) throw ReadFailed();
    ended = r == 0;
    return {bytes.data(), static_cast<std::size_t>(r)};
  }
};

// A compressed stream that ends inside a frame or member: the file was cut short.
struct CutShort : std::runtime_error {
  explicit CutShort(const char* format)
      : std::runtime_error(std::string("the ") + format + " stream ends early: the file is cut short") {}
};

// Decompresses zstd from RawInput with libzstd itself: Boost's zstd filter ends a stream cut
// inside a frame silently, as if it were whole, so a cut trace read as an empty or garbled one.
class ZstdDevice {
 public:
  using char_type = char;
  using category = bio::source_tag;
  explicit ZstdDevice(RawInput* in) : in_(in), state_(std::make_shared<State>()) {}

  std::streamsize read(char* s, std::streamsize n) {
    State& st = *state_;
    ZSTD_outBuffer out{s, static_cast<std::size_t>(n), 0};
    while (true) {
      // Output that filled the last buffer may leave more in the context: drain it before reading.
      if (st.in.pos == st.in.size && !st.output_pending) {
        const std::span<char> got = st.input.refill(*in_);
        if (got.empty()) {
          if (st.inside_frame) throw CutShort("zstd");
          return -1;
        }
        st.in = {got.data(), got.size(), 0};
      }
      const std::size_t hint = ZSTD_decompressStream(st.context.get(), &out, &st.in);
      if (ZSTD_isError(hint)) throw std::runtime_error(ZSTD_getErrorName(hint));
      st.inside_frame = hint != 0;
      st.output_pending = out.pos == out.size;
      if (out.pos > 0) return static_cast<std::streamsize>(out.pos);
    }
  }

 private:
  struct State {
    std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context{ZSTD_createDCtx(), &ZSTD_freeDCtx};
    InputBuffer input{std::vector<char>(ZSTD_DStreamInSize())};
    ZSTD_inBuffer in{nullptr, 0, 0};
    bool inside_frame = false;
    bool output_pending = false;
  };
  RawInput* in_;
  std::shared_ptr<State> state_;  // Boost copies devices
};

// Why zlib refused gzip data, in the words of our other errors.
std::string gzip_damage(const char* zlib_message) {
  const std::string msg = zlib_message != nullptr ? zlib_message : "unknown error";
  if (msg == "incorrect data check") return "the data does not match the stream's checksum (CRC-32)";
  if (msg == "incorrect length check") return "the data's length does not match the stream's footer";
  if (msg.find("header") != std::string::npos || msg == "unknown compression method")
    return "not a valid gzip header (zlib: " + msg + ")";
  return "corrupt deflate data (zlib: " + msg + ")";
}

// Decompresses gzip from RawInput with zlib itself, member after member (as gzip -d does): Boost's
// filter lost the data decoded just before bytes after the stream (zero padding read as a cut
// header: a whole Go 1.21 trace lost its stack table, silently) and did not check the footer's
// length. Zeros after the last member are ignored, as gzip does; other bytes are an error.
class GzipDevice {
 public:
  using char_type = char;
  using category = bio::source_tag;
  explicit GzipDevice(RawInput* in) : in_(in), state_(std::make_shared<State>()) {}

  std::streamsize read(char* s, std::streamsize n) {
    State& st = *state_;
    st.z.next_out = reinterpret_cast<Bytef*>(s);
    st.z.avail_out = static_cast<uInt>(std::min<std::streamsize>(n, std::numeric_limits<uInt>::max()));
    const uInt room = st.z.avail_out;
    while (true) {
      // Output that filled the last buffer may leave more in zlib's window: drain it before reading.
      if (st.z.avail_in == 0 && !st.output_pending) {
        const std::span<char> got = st.input.refill(*in_);
        if (got.empty()) {
          if (st.in_member) throw CutShort("gzip");
          return -1;
        }
        st.z.next_in = reinterpret_cast<Bytef*>(got.data());
        st.z.avail_in = static_cast<uInt>(got.size());
      }
      if (!st.in_member && !next_member(st)) continue;
      const int ret = inflate(&st.z, Z_NO_FLUSH);
      if (ret == Z_STREAM_END) {
        st.in_member = false;
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        throw std::runtime_error(gzip_damage(st.z.msg));
      }
      st.output_pending = st.in_member && st.z.avail_out == 0;
      if (st.z.avail_out != room) return static_cast<std::streamsize>(room - st.z.avail_out);
    }
  }

 private:
  struct State {
    State() {
      if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();  // 16: gzip only
    }
    ~State() { inflateEnd(&z); }
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    z_stream z{};
    InputBuffer input{std::vector<char>(std::size_t{1} << 16)};
    bool in_member = true;  // inside a member: the input may not end here
    bool output_pending = false;
    bool zeros = false;  // zeros after the last member
  };

  // Between members, with input at hand: true when another member starts (zlib reset for it);
  // false when all of the input at hand was zeros, skipped.
  static bool next_member(State& st) {
    while (st.z.avail_in > 0 && *st.z.next_in == 0) {
      st.z.next_in++;
      st.z.avail_in--;
      st.zeros = true;
    }
    if (st.z.avail_in == 0) return false;
    if (st.zeros || *st.z.next_in != kGzipMagic[0])
      throw std::runtime_error("bytes after the end of the gzip stream are not gzip data");
    inflateReset(&st.z);
    st.in_member = true;
    return true;
  }

  RawInput* in_;
  std::shared_ptr<State> state_;  // Boost copies devices
};

}  // namespace

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
  }
  return "?";
}

struct ByteSource::Impl {
  std::string name;
  RawInput raw;
  Compression compression = Compression::None;
  std::optional<std::uint64_t> raw_size;
  std::unique_ptr<bio::filtering_streambuf<bio::input>> decompressed;  // null when uncompressed
  std::uint64_t offset = 0;
  // A failure, reported by the read after the one that delivered the bytes before it.
  std::optional<Error> failure;
  std::string lookahead;  // bytes peek() read ahead, served first by read()
  std::size_t lookahead_pos = 0;

  // Reads up to n decompressed bytes from the input proper (not the lookahead); `at` is the
  // stream offset of dst[0], for error messages.
  Result<std::size_t> read_input(char* dst, std::size_t n, std::uint64_t at);

  // Picks the compression from the sniffed prefix and sets up the decompressor.
  void sniff();
};

ByteSource::ByteSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ByteSource::~ByteSource() = default;

Result<std::unique_ptr<ByteSource>> ByteSource::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->name = path == "-" ? "<stdin>" : path;
  if (path == "-") {
    impl->raw.fd = STDIN_FILENO;
  } else {
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return make_error(ErrorCode::Io, 0, std::string("cannot open: ") + std::strerror(errno));
    impl->raw.fd = fd;
    impl->raw.owns_fd = true;
  }
  struct stat st {};
  if (::fstat(impl->raw.fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return make_error(ErrorCode::Io, 0, "cannot read: is a directory");
    if (S_ISREG(st.st_mode)) impl->raw_size = static_cast<std::uint64_t>(st.st_size);
  }
  // Fill the sniff prefix; a short read here is fine (short file or pipe).
  impl->raw.prefix.resize(kSniffBytes);
  std::size_t have = 0;
  while (have < kSniffBytes) {
    ssize_t r = ::read(impl->raw.fd, impl->raw.prefix.data() + have, kSniffBytes - have);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error(ErrorCode::Io, 0, std::string("cannot read: ") + std::strerror(errno));
    if (r == 0) break;
    have += static_cast<std::size_t>(r);
  }
  impl->raw.prefix.resize(have);
  impl->sniff();
  return std::unique_ptr<ByteSource>(new ByteSource(std::move(impl)));
}

std::unique_ptr<ByteSource> ByteSource::from_memory(std::string_view bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->raw_size = bytes.size();
  std::size_t n = std::min(bytes.size(), kSniffBytes);
  impl->raw.prefix.assign(bytes.data(), n);
  impl->raw.memory = bytes.substr(n);
  impl->sniff();
  return std::unique_ptr<ByteSource>(new ByteSource(std::move(impl)));
}

void ByteSource::Impl::sniff() {
  Impl& impl = *this;
  std::string_view head = impl.raw.prefix;
  if (starts_with(head, kGzipMagic, sizeof(kGzipMagic))) {
    impl.compression = Compression::Gzip;
  } else if (starts_with(head, kZstdMagic, sizeof(kZstdMagic))) {
    impl.compression = Compression::Zstd;
  }
  if (impl.compression == Compression::None) return;
  impl.decompressed = std::make_unique<bio::filtering_streambuf<bio::input>>();
  if (impl.compression == Compression::Gzip) {
    impl.decompressed->push(GzipDevice(&impl.raw));
  } else {
    impl.decompressed->push(ZstdDevice(&impl.raw));
  }
}

Result<std::size_t> ByteSource::Impl::read_input(char* dst, std::size_t n, std::uint64_t at) {
  if (failure) return *failure;
  std::size_t got = 0;
  const auto fail = [&](ErrorCode code, std::string message) -> Result<std::size_t> {
    failure = make_error(code, at + got, std::move(message));
    if (got != 0) return got;
    return *failure;
  };
  if (!decompressed) {
    while (got < n) {
      long r = raw.read(dst + got, n - got);
      if (r < 0) return fail(ErrorCode::Io, std::string("read failed: ") + std::strerror(errno));
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }
  // What the decompressor holds is taken as is; only a byte beyond it makes it decompress more,
  // which may throw: then every byte before the damage has been delivered.
  auto& stream = *decompressed;
  try {
    while (got < n) {
      const std::streamsize held = stream.in_avail();
      if (held > 0) {
        got += static_cast<std::size_t>(stream.sgetn(dst + got, std::min<std::streamsize>(held, n - got)));
        continue;
      }
      const auto c = stream.sbumpc();
      if (c == std::char_traits<char>::eof()) break;
      dst[got++] = std::char_traits<char>::to_char_type(c);
    }
  } catch (const CutShort& e) {
    // The header, deflate data or the footer missing at the end of the input: the file was cut
    // short, as a trace still being written or copied is, and the parser keeps what was whole.
    return fail(ErrorCode::Truncated, e.what());
  } catch (const ReadFailed& e) {
    return fail(ErrorCode::Io, e.what());
  } catch (const std::exception& e) {
    return fail(ErrorCode::Corrupt, std::string(compression_name(compression)) + " decompression failed: " + e.what());
  }
  return got;
}

Result<std::size_t> ByteSource::read(char* dst, std::size_t n) {
  Impl& impl = *impl_;
  std::size_t got = 0;
  if (impl.lookahead_pos < impl.lookahead.size()) {
    got = std::min(n, impl.lookahead.size() - impl.lookahead_pos);
    std::memcpy(dst, impl.lookahead.data() + impl.lookahead_pos, got);
    impl.lookahead_pos += got;
    if (impl.lookahead_pos == impl.lookahead.size()) {
      impl.lookahead.clear();
      impl.lookahead_pos = 0;
    }
  }
  if (got < n) {
    auto more = impl.read_input(dst + got, n - got, impl.offset + got);
    if (more) {
      got += *more;
    } else if (got == 0) {
      return more;  // else the bytes peeked first, and the failure at the next read
    }
  }
  impl.offset += got;
  return got;
}

Result<std::string_view> ByteSource::peek(std::size_t n) {
  Impl& impl = *impl_;
  // Keep the unread lookahead at the front, then top it up to n bytes.
  impl.lookahead.erase(0, impl.lookahead_pos);
  impl.lookahead_pos = 0;
  while (impl.lookahead.size() < n) {
    const std::size_t have = impl.lookahead.size();
    impl.lookahead.resize(n);
    auto got = impl.read_input(impl.lookahead.data() + have, n - have, impl.offset + have);
    if (!got) {
      impl.lookahead.resize(have);
      return std::move(got).error();
    }
    impl.lookahead.resize(have + *got);
    if (*got == 0) break;
  }
  return std::string_view(impl.lookahead).substr(0, std::min(n, impl.lookahead.size()));
}

const std::string& ByteSource::name() const { return impl_->name; }
Compression ByteSource::compression() const { return impl_->compression; }
std::uint64_t ByteSource::offset() const { return impl_->offset; }
std::uint64_t ByteSource::raw_offset() const { return impl_->raw.consumed.load(std::memory_order_relaxed); }
std::optional<std::uint64_t> ByteSource::raw_size() const { return impl_->raw_size; }

}  // namespace gtanalyze
