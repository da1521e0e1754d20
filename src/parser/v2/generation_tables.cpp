// Decoding a generation's table batches (strings, stacks, CPU samples, and the sync batch with
// the frequency and clock snapshot) into its GenerationTables, every value read through the
// bounded cursor.
#include "parser/v2/generation.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "parser/wire.hpp"

namespace gtanalyze::parser::v2 {
namespace {

// The error for a table batch's record of the wrong type.
Error wrong_record(std::uint64_t at, std::uint64_t gen, std::string_view table, std::uint8_t type) {
  return gen_error(ErrorCode::Corrupt, at, gen, fmt::format("expected {} event, got {}", table, type));
}

// The records of a table batch (strings, stacks, CPU samples or sync), each a type byte and its
// values, after a header byte when there is one: record(type, reader, offset) reads one, the
// reader just after its type byte.
template <class Record>
Status each_record(std::string_view payload, bool has_header, std::uint64_t payload_offset, Record&& record) {
  ByteReader r(payload);
  std::uint8_t type = 0;
  if (has_header) (void)r.u8(type);
  while (!r.empty()) {
    const std::uint64_t at = payload_offset + r.offset();
    (void)r.u8(type);
    GTA_TRY(record(type, r, at));
  }
  return {};
}

// A table record's values, read in turn. Go's reader takes a batch that ends just before a value
// for the end of the trace (its io.EOF, passed up unwrapped), so that is a cut (Truncated: a
// warning after whole generations, as Go reads no further); a value cut in two or too long is
// damage.
template <class... Values>
Status record_values(ByteReader& r, std::uint64_t at, std::uint64_t gen, std::string_view what, Values&... out) {
  for (std::uint64_t* value : {&out...}) {
    const bool at_end = r.empty();
    if (r.uvarint(*value) != ReadStatus::Ok)
      return gen_error(at_end ? ErrorCode::Truncated : ErrorCode::Corrupt, at, gen, std::string(what));
  }
  return {};
}

// A sync batch's Frequency event, the reader just after its type byte.
Status set_frequency(Generation& g, ByteReader& r, std::uint64_t at) {
  if (g.has_freq) return gen_error(ErrorCode::Corrupt, at, g.number, "found multiple frequency events");
  std::uint64_t f = 0;
  GTA_TRY(record_values(r, at, g.number, "truncated frequency event", f));
  // Go: nanoseconds per tick = 1 / (ticks per second / 1e9), in float64.
  g.freq = Frequency(1.0 / (static_cast<double>(f) / 1e9));
  g.has_freq = true;
  return {};
}

}  // namespace

bool IdIndex::insert(std::uint64_t id, std::uint32_t index) {
  inserted_++;
  // Dense while the ids are about as many as the entries (the runtime numbers from 1): a tiny
  // generation naming id 2^20-1 filled 4 MiB, each one.
  const std::uint64_t dense_reach = std::min<std::uint64_t>(kDenseLimit, kDenseSlack + kDenseSpread * inserted_);
  if (id < dense_.size() || id < dense_reach) {
    if (id >= dense_.size()) grow_dense(std::max<std::size_t>(id + 1, dense_.size() * 2));
    if (dense_[id] != kAbsent) return false;
    dense_[id] = index;
    return true;
  }
  return sparse_.emplace(id, index).second;
}

void IdIndex::grow_dense(std::size_t size) {
  dense_.resize(size, kAbsent);
  // An id put in sparse_ before the dense part reached it moves there: find() looks there first.
  for (auto it = sparse_.begin(); it != sparse_.end();) {
    if (it->first < size) {
      dense_[it->first] = it->second;
      it = sparse_.erase(it);
    } else {
      ++it;
    }
  }
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

Status GenerationReader::add_strings(Generation& g, const RawBatch& b, std::string_view payload) {
  GenerationTables& t = *g.tables;
  return each_record(
      payload, true, b.payload_offset, [&](std::uint8_t type, ByteReader& r, std::uint64_t at) -> Status {
        if (type != type_byte(EventType::String)) return wrong_record(at, g.number, "string", type);
        std::uint64_t id = 0, len = 0;
        std::string_view data;
        GTA_TRY(record_values(r, at, g.number, "truncated string event in strings batch", id, len));
        if (len > kMaxStringSize) {
          return gen_error(ErrorCode::Limit, at, g.number,
                           fmt::format("invalid string size {}, maximum is {}", len, kMaxStringSize));
        }
        if (r.bytes(len, data) != ReadStatus::Ok) {
          return gen_error(ErrorCode::Corrupt, at, g.number,
                           fmt::format("failed to read full string: read {} but wanted {}", r.remaining(), len));
        }
        // Id 0 is the empty string's, always there.
        if (id == 0 || !t.string_index_.insert(id, static_cast<std::uint32_t>(t.string_spans_.size()))) {
          return gen_error(ErrorCode::Corrupt, at, g.number,
                           fmt::format("multiple strings with the same ID: id={}", id));
        }
        t.string_spans_.emplace_back(static_cast<std::uint32_t>(t.string_bytes_.size()),
                                     static_cast<std::uint32_t>(len));
        t.string_bytes_ += data;
        return {};
      });
}

Status GenerationReader::add_stacks(Generation& g, const RawBatch& b, std::string_view payload) {
  GenerationTables& t = *g.tables;
  return each_record(
      payload, true, b.payload_offset, [&](std::uint8_t type, ByteReader& r, std::uint64_t at) -> Status {
        if (type != type_byte(EventType::Stack)) return wrong_record(at, g.number, "stack", type);
        std::uint64_t id = 0, nframes = 0;
        GTA_TRY(record_values(r, at, g.number, "truncated stack event in stacks batch", id, nframes));
        if (nframes > kMaxFramesPerStack) {
          return gen_error(ErrorCode::Limit, at, g.number,
                           fmt::format("invalid stack size {}, maximum is {}", nframes, kMaxFramesPerStack));
        }
        const auto first = static_cast<std::uint32_t>(t.stack_pcs_.size());
        for (std::uint64_t i = 0; i < nframes; i++) {
          GenerationTables::RawFrame f;
          if (r.uvarints(f.pc, f.func, f.file, f.line) != ReadStatus::Ok) {
            return gen_error(ErrorCode::Corrupt, at, g.number,
                             fmt::format("reading frame {} for stack {}: unexpected EOF", i + 1, id));
          }
          t.stack_pcs_.push_back(f.pc);
          t.pc_frames_.try_emplace(f.pc, f);
        }
        // Id 0 is the empty stack's, always there.
        if (id == 0 || !t.stack_index_.insert(id, static_cast<std::uint32_t>(t.stack_pc_ranges_.size()))) {
          return gen_error(ErrorCode::Corrupt, at, g.number,
                           fmt::format("multiple stacks with the same ID: id={}", id));
        }
        t.stack_pc_ranges_.push_back({first, static_cast<std::uint32_t>(nframes), id, at});
        return {};
      });
}

Status GenerationReader::add_cpu_samples(Generation& g, const RawBatch& b, std::string_view payload) {
  return each_record(
      payload, true, b.payload_offset, [&](std::uint8_t type, ByteReader& r, std::uint64_t at) -> Status {
        if (type != type_byte(EventType::CPUSample)) return wrong_record(at, g.number, "CPU sample", type);
        std::uint64_t ts = 0, m = 0, p = 0, gid = 0, stack = 0;
        GTA_TRY(record_values(r, at, g.number, "truncated CPU sample event", ts, m, p, gid, stack));
        // The raw timestamp is kept until the frequency is known (the sync batch may come later).
        g.cpu_samples.push_back(CpuSample{static_cast<Time>(ts), gid == 0 ? kNoGoroutine : static_cast<GoId>(gid),
                                          static_cast<ProcId>(p), static_cast<ThreadId>(m), stack});
        return {};
      });
}

Status GenerationReader::set_sync(Generation& g, const RawBatch& b, std::string_view payload) {
  std::uint64_t last_ts = b.time;
  // Before Go 1.25 the batch is a bare Frequency event, with no header.
  const bool has_header = version_ >= Version::Go1_25;
  return each_record(
      payload, has_header, b.payload_offset, [&](std::uint8_t type, ByteReader& r, std::uint64_t at) -> Status {
        if (type == type_byte(EventType::Frequency)) return set_frequency(g, r, at);
        if (type != type_byte(EventType::ClockSnapshot) || !has_header) {
          return gen_error(ErrorCode::Corrupt, at, g.number,
                           fmt::format("expected frequency or clock snapshot event, got {}", type));
        }
        GenerationTables& t = *g.tables;
        if (t.has_clock_) return gen_error(ErrorCode::Corrupt, at, g.number, "found multiple clock snapshot events");
        std::uint64_t dt = 0, mono = 0, sec = 0, nsec = 0;
        GTA_TRY(record_values(r, at, g.number, "truncated clock snapshot event", dt, mono, sec, nsec));
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
        return {};
      });
}

}  // namespace gtanalyze::parser::v2
