// Reading a generation: batch framing with every size checked against the limits of the format,
// then the string, stack, CPU-sample and sync batches decoded into the generation's tables.
#include "parser/v2/generation.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/spec.hpp"
#include "parser/wire.hpp"

namespace gtanalyze::parser::v2 {
namespace {

constexpr std::size_t kChunkSize = 1 << 20;

std::uint8_t type_byte(EventType t) { return static_cast<std::uint8_t>(t); }

Error gen_error(ErrorCode code, std::uint64_t offset, std::uint64_t gen, std::string message) {
  Error e = make_error(code, offset, std::move(message));
  e.generation = gen;
  return e;
}

}  // namespace

bool IdIndex::insert(std::uint64_t id, std::uint32_t index) {
  if (id < kDenseLimit) {
    if (id >= dense_.size()) {
      dense_.resize(std::max<std::size_t>(id + 1, dense_.size() * 2), kAbsent);
    }
    if (dense_[id] != kAbsent) return false;
    dense_[id] = index;
    return true;
  }
  return sparse_.emplace(id, index).second;
}

std::uint64_t GenerationTables::add_extra_string(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, inserted] = extra_ids_.try_emplace(std::string(s), extra_ids_.size() + 1);
  if (inserted) {
    std::lock_guard lock(extra_mutex_);
    extra_strings_.emplace_back(s);
  }
  return it->second;
}

GenerationReader::GenerationReader(ByteSource& source, Version version)
    : source_(source), version_(version), base_(source.offset()) {}

bool GenerationReader::fill() {
  if (eof_ || has_read_error_) return false;
  // Keep nothing already consumed: batches are copied out as they are read.
  base_ += pos_;
  std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(pos_), buf_.begin() + static_cast<std::ptrdiff_t>(len_),
            buf_.begin());
  len_ -= pos_;
  pos_ = 0;
  // Grow to the chunk size by doubling: zero-filling 1 MiB up front for every trace, however
  // small, was a third of the time of a fuzz run (tests/fuzz) on kilobyte-sized inputs.
  if (buf_.size() < kChunkSize) buf_.resize(std::min(kChunkSize, std::max<std::size_t>(buf_.size() * 2, 16 << 10)));
  auto n = source_.read(buf_.data() + len_, buf_.size() - len_);
  if (!n) {
    read_error_ = n.error();
    has_read_error_ = true;
    return false;
  }
  if (*n == 0) eof_ = true;
  len_ += *n;
  return *n != 0;
}

bool GenerationReader::byte(std::uint8_t& out) {
  if (pos_ == len_ && !fill()) return false;
  out = static_cast<std::uint8_t>(buf_[pos_++]);
  return true;
}

// A batch header's uvarint: decoded from what the buffer holds, again after each refill while it
// may go on in bytes not read yet.
Status GenerationReader::uvarint(std::uint64_t& out, const char* what, std::uint64_t gen) {
  for (;;) {
    ByteReader r(std::string_view(buf_.data(), len_), pos_, len_);
    const ReadStatus status = r.uvarint(out);
    if (status == ReadStatus::Ok) {
      pos_ = r.offset();
      return {};
    }
    if (status == ReadStatus::Corrupt) {
      pos_ += kMaxUvarintLen;  // the error's offset is after the bytes that made it too long
      return gen_error(ErrorCode::Corrupt, offset(), gen, fmt::format("error reading batch {}: varint overflows a 64-bit integer", what));
    }
    if (!fill()) {
      pos_ = len_;
      if (has_read_error_) return read_error_;
      return gen_error(ErrorCode::Truncated, offset(), gen, fmt::format("error reading batch {}: unexpected EOF", what));
    }
  }
}

std::string& GenerationReader::payload_block(Generation& g, std::size_t size, RawBatch& b) {
  const std::size_t room = size + kEventPadding;
  if (g.blocks_used == 0 || g.blocks[g.blocks_used - 1].size() + room > g.blocks[g.blocks_used - 1].capacity()) {
    if (g.blocks_used == g.blocks.size()) g.blocks.emplace_back();
    std::string& fresh = g.blocks[g.blocks_used++];
    fresh.clear();
    fresh.reserve(std::max(kPayloadBlock, room));
  }
  b.block = g.blocks_used - 1;
  std::string& block = g.blocks[b.block];
  b.payload_at = static_cast<std::uint32_t>(block.size());
  return block;
}

Result<bool> GenerationReader::read_batch(RawBatch& b, Generation& g) {
  b = RawBatch{};
  b.start = offset();
  std::uint8_t kind = 0;
  if (!byte(kind)) {
    if (has_read_error_) return read_error_;
    return false;
  }
  b.kind = kind;
  if (kind == type_byte(EventType::EndOfGeneration)) return true;
  if (kind != type_byte(EventType::EventBatch) && kind != type_byte(EventType::ExperimentalBatch)) {
    return gen_error(ErrorCode::Corrupt, b.start, 0, fmt::format("expected batch event, got event {}", kind));
  }
  if (kind == type_byte(EventType::ExperimentalBatch)) {
    std::uint8_t exp = 0;
    if (!byte(exp)) {
      if (has_read_error_) return read_error_;
      return gen_error(ErrorCode::Truncated, offset(), 0, "error reading experimental batch: unexpected EOF");
    }
  }
  GTA_TRY(uvarint(b.gen, "gen", 0));
  std::uint64_t m = 0, size = 0;
  GTA_TRY(uvarint(m, "M ID", b.gen));
  b.m = static_cast<ThreadId>(m);
  GTA_TRY(uvarint(b.time, "timestamp", b.gen));
  GTA_TRY(uvarint(size, "size", b.gen));
  if (size > kMaxBatchSize) {
    return gen_error(ErrorCode::Limit, b.start, b.gen,
                     fmt::format("invalid batch size {}, maximum is {}", size, kMaxBatchSize));
  }
  b.payload_offset = offset();
  std::size_t want = static_cast<std::size_t>(size);
  std::string& payload = payload_block(g, want, b);
  while (want > 0) {
    if (pos_ == len_ && !fill()) {
      if (has_read_error_) return read_error_;
      return gen_error(ErrorCode::Truncated, b.start, b.gen,
                       fmt::format("failed to read full batch: read {} but wanted {}", size - want, size));
    }
    const std::size_t n = std::min(want, len_ - pos_);
    payload.append(buf_.data() + pos_, n);
    pos_ += n;
    want -= n;
  }
  return true;
}

Result<bool> GenerationReader::read(Generation& g) {
  g.number = 0;
  g.min_ts = 0;
  g.freq = {};
  g.has_freq = false;
  g.blocks_used = 0;
  g.batches.clear();
  g.ms.clear();
  g.m_first_batch.clear();
  g.m_end_batch.clear();
  g.cpu_samples.clear();
  g.experimental_batches = 0;
  // Fresh tables each time: the previous ones live on while events pinning them are in flight.
  g.tables = std::make_shared<GenerationTables>();
  for (auto& v : m_batches_) v.clear();
  m_slot_.clear();

  bool any = false;
  if (version_ >= Version::Go1_26) {
    for (;;) {
      RawBatch b;
      auto r = read_batch(b, g);
      if (!r) {
        Error e = std::move(r).error();
        if (e.generation == 0) e.generation = g.number;
        return e;
      }
      if (!*r) {
        if (any) {
          return gen_error(ErrorCode::Truncated, offset(), g.number,
                           "incomplete generation found; trace likely truncated");
        }
        return false;
      }
      any = true;
      if (g.number == 0) g.number = b.gen;
      if (b.kind == type_byte(EventType::EndOfGeneration)) break;
      if (b.gen == 0) return gen_error(ErrorCode::Corrupt, b.start, 0, "invalid generation number 0");
      if (b.gen != g.number) {
        return gen_error(ErrorCode::Corrupt, b.start, g.number,
                         "broken trace: missing end-of-generation event, or generations are interleaved");
      }
      if (g.min_ts == 0 || b.time < g.min_ts) g.min_ts = b.time;
      GTA_TRY(process_batch(g, b));
    }
  } else {
    if (deferred_error_) {
      Error e = std::move(*deferred_error_);
      deferred_error_.reset();
      return e;
    }
    if (spill_) {
      any = true;
      RawBatch b = *spill_;
      spill_.reset();
      g.number = b.gen;
      g.min_ts = b.time;
      payload_block(g, spill_payload_.size(), b) += spill_payload_;
      GTA_TRY(process_batch(g, b));
    }
    for (;;) {
      RawBatch b;
      auto r = read_batch(b, g);
      if (!r) {
        Error e = std::move(r).error();
        // A cut in the first batch of the next generation (or before its number could be read)
        // leaves this one whole, as far as anyone can tell: deliver it, report the cut after.
        if (e.code == ErrorCode::Truncated && g.number != 0 && (b.gen == 0 || b.gen == g.number + 1)) {
          e.generation = g.number + 1;
          if (b.payload_offset != 0) g.blocks[b.block].resize(b.payload_at);  // the part read
          deferred_error_ = std::move(e);
          break;
        }
        if (e.generation == 0) e.generation = b.gen != 0 ? b.gen : g.number;
        return e;
      }
      if (!*r) break;
      if (b.gen == 0) return gen_error(ErrorCode::Corrupt, b.start, 0, "invalid generation number 0");
      any = true;
      if (g.number == 0) g.number = b.gen;
      if (b.gen == g.number + 1) {
        // The first batch of the next generation: keep it for the next call.
        std::string& block = g.blocks[b.block];
        spill_payload_.assign(block, b.payload_at, std::string::npos);
        block.resize(b.payload_at);
        spill_ = b;
        break;
      }
      if (b.gen != g.number) return gen_error(ErrorCode::Corrupt, b.start, g.number, "generations out of order");
      if (g.min_ts == 0 || b.time < g.min_ts) g.min_ts = b.time;
      GTA_TRY(process_batch(g, b));
    }
    if (!any) return false;
  }
  GTA_TRY(finish(g));
  return true;
}

Status GenerationReader::process_batch(Generation& g, const RawBatch& b) {
  std::string& block = g.blocks[b.block];
  if (b.kind == type_byte(EventType::ExperimentalBatch)) {
    // Experimental data is not interpreted (Go hands it over raw on the Sync event): count it.
    g.experimental_batches++;
    block.resize(b.payload_at);
    return {};
  }
  const std::string_view payload = std::string_view(block).substr(b.payload_at);
  const int first = payload.empty() ? -1 : static_cast<std::uint8_t>(payload[0]);
  Status st;
  bool table = true;
  if (first == type_byte(EventType::Strings)) {
    st = add_strings(g, b, payload);
  } else if (first == type_byte(EventType::Stacks)) {
    st = add_stacks(g, b, payload);
  } else if (first == type_byte(EventType::CPUSamples)) {
    st = add_cpu_samples(g, b, payload);
  } else if ((first == type_byte(EventType::Frequency) && version_ < Version::Go1_25) ||
             (first == type_byte(EventType::SyncBatch) && version_ >= Version::Go1_25)) {
    st = set_sync(g, b, payload);
  } else {
    table = false;
  }
  if (table) {
    block.resize(b.payload_at);  // decoded: the payload is no longer needed
    return st;
  }
  auto [it, inserted] = m_slot_.try_emplace(b.m, static_cast<std::uint32_t>(g.ms.size()));
  if (inserted) {
    g.ms.push_back(b.m);
    if (m_batches_.size() < g.ms.size()) m_batches_.emplace_back();
  }
  m_batches_[it->second].push_back(
      Batch{b.m, b.time, b.block, b.payload_at, static_cast<std::uint32_t>(payload.size()), b.payload_offset});
  block.append(kEventPadding, '\0');  // within the capacity payload_block() reserved
  return {};
}

Status GenerationReader::add_strings(Generation& g, const RawBatch& b, std::string_view payload) {
  ByteReader r(payload);
  std::uint8_t hdr = 0;
  (void)r.u8(hdr);
  GenerationTables& t = *g.tables;
  while (!r.empty()) {
    const std::uint64_t at = b.payload_offset + r.offset();
    std::uint8_t ev = 0;
    std::uint64_t id = 0, len = 0;
    std::string_view data;
    (void)r.u8(ev);
    if (ev != type_byte(EventType::String)) {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("expected string event, got {}", ev));
    }
    if (r.uvarints(id, len) != ReadStatus::Ok) {
      return gen_error(ErrorCode::Truncated, at, g.number, "truncated string event in strings batch");
    }
    if (len > kMaxStringSize) {
      return gen_error(ErrorCode::Limit, at, g.number,
                       fmt::format("invalid string size {}, maximum is {}", len, kMaxStringSize));
    }
    if (r.bytes(len, data) != ReadStatus::Ok) {
      return gen_error(ErrorCode::Truncated, at, g.number,
                       fmt::format("failed to read full string: read {} but wanted {}", r.remaining(), len));
    }
    if (!t.string_index_.insert(id, static_cast<std::uint32_t>(t.string_spans_.size()))) {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("multiple strings with the same ID: id={}", id));
    }
    t.string_spans_.emplace_back(static_cast<std::uint32_t>(t.string_bytes_.size()), static_cast<std::uint32_t>(len));
    t.string_bytes_ += data;
  }
  return {};
}

Status GenerationReader::add_stacks(Generation& g, const RawBatch& b, std::string_view payload) {
  ByteReader r(payload);
  std::uint8_t hdr = 0;
  (void)r.u8(hdr);
  GenerationTables& t = *g.tables;
  while (!r.empty()) {
    const std::uint64_t at = b.payload_offset + r.offset();
    std::uint8_t ev = 0;
    std::uint64_t id = 0, nframes = 0;
    (void)r.u8(ev);
    if (ev != type_byte(EventType::Stack)) {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("expected stack event, got {}", ev));
    }
    if (r.uvarints(id, nframes) != ReadStatus::Ok) {
      return gen_error(ErrorCode::Truncated, at, g.number, "truncated stack event in stacks batch");
    }
    if (nframes > kMaxFramesPerStack) {
      return gen_error(ErrorCode::Limit, at, g.number,
                       fmt::format("invalid stack size {}, maximum is {}", nframes, kMaxFramesPerStack));
    }
    const auto first = static_cast<std::uint32_t>(t.stack_pcs_.size());
    for (std::uint64_t i = 0; i < nframes; i++) {
      GenerationTables::RawFrame f;
      if (r.uvarints(f.pc, f.func, f.file, f.line) != ReadStatus::Ok) {
        return gen_error(ErrorCode::Truncated, at, g.number, fmt::format("reading frame {} for stack {}: unexpected EOF", i + 1, id));
      }
      t.stack_pcs_.push_back(f.pc);
      t.pc_frames_.try_emplace(f.pc, f);
    }
    if (!t.stack_index_.insert(id, static_cast<std::uint32_t>(t.stack_pc_ranges_.size()))) {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("multiple stacks with the same ID: id={}", id));
    }
    t.stack_pc_ranges_.push_back({first, static_cast<std::uint32_t>(nframes)});
  }
  return {};
}

Status GenerationReader::add_cpu_samples(Generation& g, const RawBatch& b, std::string_view payload) {
  ByteReader r(payload);
  std::uint8_t hdr = 0;
  (void)r.u8(hdr);
  while (!r.empty()) {
    const std::uint64_t at = b.payload_offset + r.offset();
    std::uint8_t ev = 0;
    (void)r.u8(ev);
    if (ev != type_byte(EventType::CPUSample)) {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("expected CPU sample event, got {}", ev));
    }
    std::uint64_t ts = 0, m = 0, p = 0, gid = 0, stack = 0;
    if (r.uvarints(ts, m, p, gid, stack) != ReadStatus::Ok) {
      return gen_error(ErrorCode::Truncated, at, g.number, "truncated CPU sample event");
    }
    // The raw timestamp is kept until the frequency is known (the sync batch may come later).
    g.cpu_samples.push_back(CpuSample{static_cast<Time>(ts), gid == 0 ? kNoGoroutine : static_cast<GoId>(gid),
                                      static_cast<ProcId>(p), static_cast<ThreadId>(m), stack});
  }
  return {};
}

Status GenerationReader::set_sync(Generation& g, const RawBatch& b, std::string_view payload) {
  ByteReader r(payload);
  if (version_ >= Version::Go1_25) {
    std::uint8_t hdr = 0;
    (void)r.u8(hdr);
  }
  std::uint64_t last_ts = b.time;
  while (!r.empty()) {
    const std::uint64_t at = b.payload_offset + r.offset();
    std::uint8_t ev = 0;
    (void)r.u8(ev);
    if (ev == type_byte(EventType::Frequency)) {
      if (g.has_freq) return gen_error(ErrorCode::Corrupt, at, g.number, "found multiple frequency events");
      std::uint64_t f = 0;
      if (r.uvarint(f) != ReadStatus::Ok) return gen_error(ErrorCode::Truncated, at, g.number, "truncated frequency event");
      // Go: nanoseconds per tick = 1 / (ticks per second / 1e9), in float64.
      g.freq = Frequency(1.0 / (static_cast<double>(f) / 1e9));
      g.has_freq = true;
    } else if (ev == type_byte(EventType::ClockSnapshot) && version_ >= Version::Go1_25) {
      GenerationTables& t = *g.tables;
      if (t.has_clock_) return gen_error(ErrorCode::Corrupt, at, g.number, "found multiple clock snapshot events");
      std::uint64_t dt = 0, mono = 0, sec = 0, nsec = 0;
      if (r.uvarints(dt, mono, sec, nsec) != ReadStatus::Ok) {
        return gen_error(ErrorCode::Truncated, at, g.number, "truncated clock snapshot event");
      }
      last_ts += dt;
      t.has_clock_ = true;
      t.clock_.trace = static_cast<Time>(last_ts);  // converted in finish(), once the frequency is known
      t.clock_.mono = mono;
      // As Go's time.Unix: normalise nanoseconds into [0, 1e9).
      auto s = static_cast<std::int64_t>(sec);
      auto ns = static_cast<std::int64_t>(nsec);
      s += ns / 1000000000;
      ns %= 1000000000;
      if (ns < 0) {
        ns += 1000000000;
        s--;
      }
      t.clock_.wall_sec = s;
      t.clock_.wall_nsec = ns;
    } else {
      return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("expected frequency or clock snapshot event, got {}", ev));
    }
  }
  return {};
}

Status GenerationReader::finish(Generation& g) {
  const std::uint64_t at = offset();
  if (!g.has_freq) return gen_error(ErrorCode::Corrupt, at, g.number, "no frequency event found");
  GenerationTables& t = *g.tables;
  if (version_ >= Version::Go1_25 && !t.has_clock_) {
    return gen_error(ErrorCode::Corrupt, at, g.number, "no clock snapshot event found");
  }
  if (t.has_clock_) t.clock_.trace = g.freq.mul(static_cast<std::uint64_t>(t.clock_.trace));

  // Event batches, grouped by M in first-appearance order.
  for (std::size_t i = 0; i < g.ms.size(); i++) {
    g.m_first_batch.push_back(static_cast<std::uint32_t>(g.batches.size()));
    g.batches.insert(g.batches.end(), m_batches_[i].begin(), m_batches_[i].end());
    g.m_end_batch.push_back(static_cast<std::uint32_t>(g.batches.size()));
  }

  // Strings: views into the generation's string bytes, which no longer grow.
  t.strings_.reserve(t.string_spans_.size());
  for (auto [off, len] : t.string_spans_) t.strings_.emplace_back(t.string_bytes_.data() + off, len);

  // Stacks: each pc resolves to the first frame seen for it in the generation, as in Go.
  t.frames_.reserve(t.stack_pcs_.size());
  t.stacks_.reserve(t.stack_pc_ranges_.size());
  for (const auto& range : t.stack_pc_ranges_) {
    const auto first = static_cast<std::uint32_t>(t.frames_.size());
    for (std::uint32_t i = range.first; i < range.first + range.count; i++) {
      const GenerationTables::RawFrame& f = t.pc_frames_.find(t.stack_pcs_[i])->second;
      if (!t.has_string(f.func)) {
        return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("found invalid func string ID {} for stack", f.func));
      }
      if (!t.has_string(f.file)) {
        return gen_error(ErrorCode::Corrupt, at, g.number, fmt::format("found invalid file string ID {} for stack", f.file));
      }
      t.frames_.push_back(StackFrame{f.pc, t.string(f.func), t.string(f.file), f.line});
    }
    t.stacks_.push_back({first, range.count});
  }

  // CPU samples: convert their times and sort them (stable, so equal times keep stream order).
  for (CpuSample& s : g.cpu_samples) s.time = g.freq.mul(static_cast<std::uint64_t>(s.time));
  std::stable_sort(g.cpu_samples.begin(), g.cpu_samples.end(),
                   [](const CpuSample& a, const CpuSample& b) { return a.time < b.time; });
  return {};
}

}  // namespace gtanalyze::parser::v2
