// Capture encoding: little-endian fixed-width fields, strings as u32 length + bytes.
#include "collector/capture_file.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

#include <cstring>
#include <limits>

#include "collector/pclntab.hpp"

namespace gtanalyze::collector {
namespace {

struct Out {
  std::string s;
  template <class T>
  void put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    s.append(b, sizeof(T));
  }
  void str(std::string_view v) {
    put(static_cast<std::uint32_t>(v.size()));
    s.append(v);
  }
};

struct In {
  std::string_view d;
  std::uint64_t pos = 0;
  bool bad = false;
  template <class T>
  T get() {
    T v{};
    if (pos > d.size() || d.size() - pos < sizeof(T)) {
      bad = true;
      return v;
    }
    std::memcpy(&v, d.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  std::string str() {
    const auto n = get<std::uint32_t>();
    if (bad || n > d.size() - pos) {
      bad = true;
      return {};
    }
    std::string v(d.substr(pos, n));
    pos += n;
    return v;
  }
  // A count of items of at least `min_size` bytes each that must fit in what remains.
  std::uint32_t count(std::uint64_t min_size) {
    const auto n = get<std::uint32_t>();
    if (bad || n * min_size > d.size() - pos) {
      bad = true;
      return 0;
    }
    return n;
  }
};

void put_offsets(Out& o, const RuntimeOffsets& r) {
  for (std::uint32_t v : {r.g_m, r.g_atomicstatus, r.g_goid, r.g_waitreason, r.g_parent_goid, r.g_gopc, r.g_startpc,
                          r.m_curg, r.m_procid, r.m_block_reason}) {
    o.put(v);
  }
}

RuntimeOffsets get_offsets(In& in) {
  RuntimeOffsets r;
  for (std::uint32_t* v : {&r.g_m, &r.g_atomicstatus, &r.g_goid, &r.g_waitreason, &r.g_parent_goid, &r.g_gopc,
                           &r.g_startpc, &r.m_curg, &r.m_procid, &r.m_block_reason}) {
    *v = in.get<std::uint32_t>();
  }
  return r;
}

constexpr std::uint32_t kClockMonotonic = 1;
constexpr std::size_t kTrailerTail = 16;  // the trailer's offset and magic, which end the file
// Times are read as Go's signed nanoseconds: one past this would turn negative.
constexpr std::uint64_t kMaxTime = std::numeric_limits<std::int64_t>::max();

std::string encode_u64(std::uint64_t v) {
  Out o;
  o.put(v);
  return o.s;
}

Error corrupt(std::uint64_t off, const std::string& what) {
  return make_error(ErrorCode::Corrupt, off, "capture: " + what);
}

}  // namespace

std::string encode_header(const CaptureHeader& h) {
  Out body;
  body.str(h.go_version);
  body.put(h.go_minor);
  body.str(h.build_id);
  body.str(h.binary);
  body.put(h.pid);
  body.put(static_cast<std::uint8_t>(h.attached_running));
  body.put(h.clock_id);
  body.put(h.start_mono);
  body.put(h.start_wall);
  put_offsets(body, h.offsets);
  body.str(h.offsets_source);
  body.put(static_cast<std::uint32_t>(h.probes.size()));
  for (const auto& p : h.probes) {
    body.put(p.kind);
    body.str(p.function);
    body.put(p.entry);
    body.put(p.attach);
    body.put(static_cast<std::uint8_t>(p.emulated));
  }
  Out o;
  o.s.append(kCaptureMagic);
  o.put(kCaptureFormatVersion);
  o.put(static_cast<std::uint32_t>(sizeof(gtc_record)));
  o.put(static_cast<std::uint32_t>(body.s.size()));
  o.s += body.s;
  return o.s;
}

std::string encode_trailer(const CaptureTrailer& t, std::uint64_t trailer_offset) {
  Out o;
  o.s.append(kCaptureEndMagic);
  o.put(t.records);
  for (auto v : t.stats) o.put(v);
  o.put(t.end_mono);
  o.put(t.exit_status);
  o.put(static_cast<std::uint32_t>(t.symbols.size()));
  for (const auto& s : t.symbols) {
    o.put(s.pc);
    o.str(s.function);
    o.str(s.file);
    o.put(s.line);
  }
  o.put(static_cast<std::uint32_t>(t.initial.size()));
  for (const auto& g : t.initial) {
    o.put(g.goid);
    o.put(g.gp);
    o.put(g.status);
    o.put(g.wait_reason);
    o.put(g.startpc);
  }
  o.put(trailer_offset);
  o.s.append(kCaptureEndMagic);
  return o.s;
}

namespace {

// The header's fields, from `h` (which ends where the records begin).
Status parse_header(In& h, CaptureHeader& H) {
  H.go_version = h.str();
  const std::uint64_t minor_offset = h.pos;
  H.go_minor = h.get<std::uint32_t>();
  H.build_id = h.str();
  H.binary = h.str();
  H.pid = h.get<std::uint32_t>();
  H.attached_running = h.get<std::uint8_t>() != 0;
  const std::uint64_t clock_offset = h.pos;
  H.clock_id = h.get<std::uint32_t>();
  H.start_mono = h.get<std::uint64_t>();
  H.start_wall = h.get<std::uint64_t>();
  H.offsets = get_offsets(h);
  H.offsets_source = h.str();
  const auto nprobes = h.count(22);
  for (std::uint32_t i = 0; i < nprobes && !h.bad; i++) {
    CaptureProbe p;
    p.kind = h.get<std::uint8_t>();
    p.function = h.str();
    p.entry = h.get<std::uint64_t>();
    p.attach = h.get<std::uint64_t>();
    p.emulated = h.get<std::uint8_t>() != 0;
    H.probes.push_back(std::move(p));
  }
  if (h.bad) return corrupt(h.pos, "malformed header");
  // The fields the reading trusts: which Go's tables read the records, and their clock.
  if (const unsigned named = go_minor(H.go_version); named != 0 && named != H.go_minor) {
    return corrupt(minor_offset,
                   fmt::format("Go minor version {} where the header's Go version is {}", H.go_minor, H.go_version));
  }
  if (H.clock_id != kClockMonotonic)
    return corrupt(clock_offset, fmt::format("clock id {}, where captures use CLOCK_MONOTONIC (1)", H.clock_id));
  if (H.start_mono > kMaxTime) return corrupt(clock_offset + 4, "start time past 2^63 ns");
  return {};
}

// The trailer at `trailer_offset`, whose closing offset and magic end `bytes`.
Status parse_trailer(std::string_view bytes, std::uint64_t trailer_offset, std::uint64_t records_offset, Capture& c) {
  In r{bytes.substr(0, bytes.size() - kTrailerTail), trailer_offset + 8};
  auto& T = c.trailer;
  T.records = r.get<std::uint64_t>();
  for (auto& v : T.stats) v = r.get<std::uint64_t>();
  T.end_mono = r.get<std::uint64_t>();
  T.exit_status = r.get<std::int32_t>();
  const auto nsym = r.count(24);
  for (std::uint32_t i = 0; i < nsym && !r.bad; i++) {
    CaptureSymbol s;
    s.pc = r.get<std::uint64_t>();
    // Stored as the binary names it; read as the target's tracer reports it (go 1.19's tracer
    // printed generic functions' type arguments, later ones print "[...]").
    s.function = c.header.go_minor >= 21 ? name_for_print(r.str()) : r.str();
    s.file = r.str();
    s.line = r.get<std::uint64_t>();
    T.symbols.push_back(std::move(s));
  }
  const auto ninit = r.count(29);
  for (std::uint32_t i = 0; i < ninit && !r.bad; i++) {
    InitialGoroutine g;
    g.goid = r.get<std::int64_t>();
    g.gp = r.get<std::uint64_t>();
    g.status = r.get<std::uint32_t>();
    g.wait_reason = r.get<std::uint8_t>();
    g.startpc = r.get<std::uint64_t>();
    T.initial.push_back(g);
  }
  if (r.bad) return corrupt(r.pos, "malformed trailer");
  const std::uint64_t end_offset = trailer_offset + 8 + 8 * (1 + T.stats.size());
  if (T.end_mono > kMaxTime) return corrupt(end_offset, "end time past 2^63 ns");
  if (T.end_mono < c.header.start_mono) return corrupt(end_offset, "the capture ends before it starts");
  if (T.records != (trailer_offset - records_offset) / sizeof(gtc_record))
    return corrupt(trailer_offset, "record count does not match the trailer");
  return {};
}

// Without a trailer at the end, its first bytes at a record's place (no record's time reads as
// them: 7.4e17 ns): the offset of a trailer cut short; an error when bytes follow a whole one.
Result<std::optional<std::uint64_t>> find_cut_trailer(std::string_view bytes, std::uint64_t records_offset) {
  for (std::uint64_t at = records_offset; at + 8 <= bytes.size(); at += sizeof(gtc_record)) {
    if (bytes.substr(at, 8) != kCaptureEndMagic) continue;
    const std::string closing = encode_u64(at) + std::string(kCaptureEndMagic);
    if (const std::size_t end = bytes.find(closing, at + 8); end != std::string_view::npos) {
      return corrupt(end + closing.size(),
                     fmt::format("{} byte(s) follow the capture's trailer", bytes.size() - end - closing.size()));
    }
    return std::optional<std::uint64_t>(at);
  }
  return std::optional<std::uint64_t>();
}

}  // namespace

Result<Capture> parse_capture(std::string_view bytes) {
  Capture c;
  In in{bytes};
  if (!is_capture(bytes)) return make_error(ErrorCode::NotATrace, 0, "not a gtanalyze capture (bad magic)");
  in.pos = kCaptureMagic.size();
  const auto version = in.get<std::uint32_t>();
  const auto record_size = in.get<std::uint32_t>();
  const auto header_len = in.get<std::uint32_t>();
  if (in.bad) return make_error(ErrorCode::Truncated, in.pos, "capture: truncated header");
  if (version != kCaptureFormatVersion) {
    return make_error(ErrorCode::UnsupportedVersion, 8,
                      "capture: format version " + std::to_string(version) + ", this build reads 1");
  }
  if (record_size != sizeof(gtc_record))
    return corrupt(12, "record size " + std::to_string(record_size) + ", expected 64");
  if (header_len > bytes.size() - in.pos) return make_error(ErrorCode::Truncated, in.pos, "capture: truncated header");
  const std::uint64_t records_offset = in.pos + header_len;
  In h{bytes.substr(0, records_offset), in.pos};
  GTA_TRY(parse_header(h, c.header));

  // The trailer, found from the end: its offset and magic close the file.
  std::uint64_t records_end = bytes.size();
  const bool ends_as_trailer =
      bytes.size() >= records_offset + kTrailerTail && bytes.substr(bytes.size() - 8) == kCaptureEndMagic;
  std::uint64_t trailer_offset = 0;
  if (ends_as_trailer) {
    In t{bytes, bytes.size() - kTrailerTail};
    trailer_offset = t.get<std::uint64_t>();
  }
  const bool trailer_offset_ok = trailer_offset >= records_offset && trailer_offset <= bytes.size() - kTrailerTail &&
                                 (trailer_offset - records_offset) % sizeof(gtc_record) == 0 &&
                                 bytes.substr(trailer_offset, 8) == kCaptureEndMagic;
  c.complete = ends_as_trailer && trailer_offset_ok;
  if (c.complete) {
    GTA_TRY(parse_trailer(bytes, trailer_offset, records_offset, c));
    records_end = trailer_offset;
  } else {
    auto cut = find_cut_trailer(bytes, records_offset);
    if (!cut) return std::move(cut).error();
    // A cut just after the trailer's opening magic ends the file as a whole trailer would.
    if (ends_as_trailer && !*cut) return corrupt(bytes.size() - kTrailerTail, "bad trailer offset");
    c.cut_trailer = *cut;
    if (c.cut_trailer) records_end = *c.cut_trailer;
    c.cut_record_bytes = (records_end - records_offset) % sizeof(gtc_record);
  }
  c.records_offset = records_offset;
  const std::uint64_t n = (records_end - records_offset) / sizeof(gtc_record);
  c.records.resize(n);
  if (n) std::memcpy(c.records.data(), bytes.data() + records_offset, n * sizeof(gtc_record));
  if (!c.complete) c.trailer.records = n;
  return c;
}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::open(const std::string& path, const CaptureHeader& header) {
  std::unique_ptr<CaptureWriter> w(new CaptureWriter());
  w->path_ = path;
  w->f_ = std::fopen(path.c_str(), "wb");
  if (!w->f_) return make_error(ErrorCode::Io, 0, path + ": cannot open for writing: " + std::strerror(errno));
  struct stat st {};
  w->regular_ = ::fstat(::fileno(w->f_), &st) == 0 && S_ISREG(st.st_mode);
  const std::string h = encode_header(header);
  if (std::fwrite(h.data(), 1, h.size(), w->f_) != h.size()) return w->failed();
  w->records_offset_ = h.size();
  return w;
}

CaptureWriter::~CaptureWriter() {
  if (f_) std::fclose(f_);
}

Status CaptureWriter::write(const gtc_record& r) {
  if (f_ == nullptr) return make_error(ErrorCode::Io, 0, path_ + ": written after it failed or was finished");
  if (std::fwrite(&r, sizeof(r), 1, f_) != 1) return failed();
  records_++;
  return {};
}

Status CaptureWriter::finish(CaptureTrailer trailer) {
  if (f_ == nullptr) return make_error(ErrorCode::Io, 0, path_ + ": finished after it failed or was finished");
  trailer.records = records_;
  const std::string t = encode_trailer(trailer, records_offset_ + records_ * sizeof(gtc_record));
  if (std::fwrite(t.data(), 1, t.size(), f_) != t.size() || std::fflush(f_) != 0) return failed();
  const int closed = std::fclose(f_);
  f_ = nullptr;
  if (closed != 0) return failed();
  return {};
}

Error CaptureWriter::failed() {
  // A full disk, most likely: say so, and leave no half capture that reads as one cut short.
  Error e = make_error(ErrorCode::Io, records_offset_ + records_ * sizeof(gtc_record),
                       path_ + ": write failed: " + std::strerror(errno));
  if (f_) std::fclose(f_);
  f_ = nullptr;
  if (regular_) std::remove(path_.c_str());  // not /dev/full, a FIFO, ... (collect runs as root)
  return e;
}

}  // namespace gtanalyze::collector
