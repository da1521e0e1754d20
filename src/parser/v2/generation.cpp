// Reading a generation: batch framing with every size checked against the limits of the format,
// event batches filed by M, and the tables resolved once the generation is complete (the table
// batches themselves are decoded in generation_tables.cpp).
#include "parser/v2/generation.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/go_sort.hpp"
#include "gtanalyze/trace_header.hpp"
#include "parser/spec.hpp"
#include "parser/wire.hpp"

namespace gtanalyze::parser::v2 {
namespace {

constexpr std::size_t kChunkSize = 1 << 20;

}  // namespace

Error gen_error(ErrorCode code, std::uint64_t offset, std::uint64_t gen, std::string message) {
  Error e = make_error(code, offset, std::move(message));
  e.generation = gen;
  return e;
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
      return gen_error(ErrorCode::Corrupt, offset(), gen,
                       fmt::format("error reading batch {}: varint overflows a 64-bit integer", what));
    }
    if (!fill()) {
      pos_ = len_;
      if (has_read_error_) return read_error_;
      return gen_error(ErrorCode::Truncated, offset(), gen,
                       fmt::format("error reading batch {}: unexpected EOF", what));
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
    // Snapshots of a flight recorder appended to one file, or `cat a.trace b.trace`: say so.
    std::string next(1, static_cast<char>(kind));
    for (std::uint8_t c = 0; next.size() < kTraceHeaderSize && byte(c);) next.push_back(static_cast<char>(c));
    if (auto second = second_trace(next, b.start)) return gen_error(ErrorCode::Corrupt, b.start, 0, *second);
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
  g.unmarked_end = false;
  // Fresh tables each time: the previous ones live on while events pinning them are in flight.
  g.tables = std::make_shared<GenerationTables>();
  for (auto& v : m_batches_) v.clear();
  m_slot_.clear();

  auto r = version_ >= Version::Go1_26 ? read_to_end_event(g) : read_to_next_generation(g);
  if (!r || !*r) return r;
  if (auto done = finish(g); !done) return g.unmarked_end ? with_cut_hint(std::move(done).error()) : done.error();
  last_number_ = g.number;
  return true;
}

Error with_cut_hint(Error e) {
  e.message += " (the file ends in this generation, whose end Go 1.22-1.25 do not mark: the trace is likely cut short)";
  return e;
}

// From Go 1.26 a generation ends with an EndOfGeneration batch.
Result<bool> GenerationReader::read_to_end_event(Generation& g) {
  for (bool any = false;; any = true) {
    RawBatch b;
    auto r = read_batch(b, g);
    if (!r) {
      Error e = std::move(r).error();
      // Cut before this generation's number: it is the one after the last read (by the runtime's
      // numbering; 0 when none was).
      if (e.generation == 0) e.generation = g.number != 0 ? g.number : last_number_ + (last_number_ != 0);
      return e;
    }
    if (!*r) {
      if (!any) return false;
      return gen_error(ErrorCode::Truncated, offset(), g.number, "incomplete generation found; trace likely truncated");
    }
    if (g.number == 0) g.number = b.gen;
    if (b.kind == type_byte(EventType::EndOfGeneration)) return true;
    if (b.gen == 0) return gen_error(ErrorCode::Corrupt, b.start, 0, "invalid generation number 0");
    if (b.gen != g.number) {
      return gen_error(ErrorCode::Corrupt, b.start, g.number,
                       "broken trace: missing end-of-generation event, or generations are interleaved");
    }
    GTA_TRY(process_batch(g, b));
  }
}

// Before Go 1.26 a generation ends where the next one's first batch starts: that batch is kept
// in spill_ for the next call.
Result<bool> GenerationReader::read_to_next_generation(Generation& g) {
  if (deferred_error_) {
    Error e = std::move(*deferred_error_);
    deferred_error_.reset();
    return e;
  }
  bool any = false;
  if (spill_) {
    any = true;
    RawBatch b = *spill_;
    spill_.reset();
    g.number = b.gen;
    payload_block(g, spill_payload_.size(), b) += spill_payload_;
    GTA_TRY(process_batch(g, b));
  }
  for (;;) {
    RawBatch b;
    auto r = read_batch(b, g);
    if (!r) return cut_in_batch(g, b, std::move(r).error());
    if (!*r) return any ? ended_at_eof(g) : Result<bool>(false);
    if (b.gen == 0) return gen_error(ErrorCode::Corrupt, b.start, 0, "invalid generation number 0");
    any = true;
    if (g.number == 0) g.number = b.gen;
    if (b.gen == g.number + 1) {
      // The first batch of the next generation: keep it for the next call.
      std::string& block = g.blocks[b.block];
      spill_payload_.assign(block, b.payload_at, std::string::npos);
      block.resize(b.payload_at);
      spill_ = b;
      return true;
    }
    if (b.gen != g.number) return gen_error(ErrorCode::Corrupt, b.start, g.number, "generations out of order");
    GTA_TRY(process_batch(g, b));
  }
}

// An error reading batch b of generation g (before Go 1.26). A cut in the first batch of the
// next generation (or before its number could be read) leaves g whole when g ends with its string
// table (see ended_at_eof): g is delivered, and the cut reported at the next call.
Result<bool> GenerationReader::cut_in_batch(Generation& g, const RawBatch& b, Error e) {
  if (e.code == ErrorCode::Truncated && g.number != 0 && seems_whole() && (b.gen == 0 || b.gen == g.number + 1)) {
    e.generation = g.number + 1;
    if (b.payload_offset != 0) g.blocks[b.block].resize(b.payload_at);  // the part read
    g.unmarked_end = !last_batch_strings_;                              // the cut may as well be in g's own next batch
    deferred_error_ = std::move(e);
    return true;
  }
  if (e.generation == 0) e.generation = b.gen != 0 ? b.gen : g.number;
  return e;
}

// The input ended after whole batches of g.
Result<bool> GenerationReader::ended_at_eof(Generation& g) {
  g.unmarked_end = !last_batch_strings_;
  if (seems_whole()) return true;
  return gen_error(ErrorCode::Truncated, offset(), g.number,
                   "the generation's last batch is not its string table: trace likely truncated between batches");
}

// Whether g, its batches read up to the end of the input or a cut, can be whole. The runtime (Go
// 1.22-1.25's traceAdvance) writes a generation's string table last, after its stacks (and every
// generation has strings: the wait reasons): a trace cut between batches ends its last generation
// with another batch, and reading that as whole failed later, on the ids it lacks, after part of
// it was analysed and the generations before it thrown away. Only after a first generation: Go's
// own test traces, made by hand, do not keep that order, and with no generation before there is
// nothing to keep.
bool GenerationReader::seems_whole() const { return last_batch_strings_ || last_number_ == 0; }

Status GenerationReader::process_batch(Generation& g, const RawBatch& b) {
  if (g.min_ts == 0 || b.time < g.min_ts) g.min_ts = b.time;
  last_batch_strings_ = false;
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
    last_batch_strings_ = true;
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
      // At the stack's record: the end of the generation, where it is found out, says nothing.
      if (!t.has_string(f.func)) {
        return gen_error(ErrorCode::Corrupt, range.at, g.number,
                         fmt::format("found invalid func string ID {} for stack {}", f.func, range.id));
      }
      if (!t.has_string(f.file)) {
        return gen_error(ErrorCode::Corrupt, range.at, g.number,
                         fmt::format("found invalid file string ID {} for stack {}", f.file, range.id));
      }
      t.frames_.push_back(StackFrame{f.pc, t.string(f.func), t.string(f.file), f.line});
    }
    t.stacks_.push_back({first, range.count});
  }

  // CPU samples: convert their times and sort them, equal times as Go leaves them.
  for (CpuSample& s : g.cpu_samples) s.time = g.freq.mul(static_cast<std::uint64_t>(s.time));
  base::go_sort(g.cpu_samples.begin(), g.cpu_samples.end(),
                [](const CpuSample& a, const CpuSample& b) { return a.time < b.time; });
  return {};
}

}  // namespace gtanalyze::parser::v2
