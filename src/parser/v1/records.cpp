// Old-format wire records: decoding one, and a stream's records as its events in batch order.
#include "parser/v1/records.hpp"

#include <algorithm>

#include "gtanalyze/trace_header.hpp"
#include "parser/go_arith.hpp"

namespace gtanalyze::parser::v1 {

std::uint64_t known_types(unsigned minor) {
  std::uint64_t known = 0;
  for (unsigned t = 1; t < static_cast<unsigned>(OldType::Count); t++) {
    if (old_spec(static_cast<OldType>(t)).min_version <= minor) known |= std::uint64_t{1} << t;
  }
  return known;
}

ReadStatus read_long_record(ByteReader& c, unsigned minor, OldTrace::Raw& raw) {
  raw.narg = 0;
  ReadStatus r = ReadStatus::Ok;
  if (raw.type == OldType::String) {
    // [id, length, bytes]
    std::uint64_t id = 0, len = 0;
    if ((r = c.uvarint(id)) != ReadStatus::Ok) return r;
    if ((r = c.uvarint(len)) != ReadStatus::Ok) return r;
    if (id == 0) {
      raw.why = "string has invalid id 0";
      return ReadStatus::Corrupt;
    }
    if (len == 0 || len > 1'000'000) {
      raw.why = fmt::format("string has invalid length {}", len);
      return ReadStatus::Corrupt;
    }
    if ((r = c.bytes(len, raw.payload)) != ReadStatus::Ok) return r;
    raw.args[0] = id;
    raw.narg = 1;
    return ReadStatus::Ok;
  }
  std::uint64_t len = 0;
  if ((r = c.uvarint(len)) != ReadStatus::Ok) return r;
  if (minor >= 11 && len > 2048) {
    raw.why = fmt::format("length-prefixed argument too big: {} bytes, limit is 2048", len);
    return ReadStatus::Corrupt;
  }
  if ((r = c.bytes(len, raw.body)) != ReadStatus::Ok) return r;
  raw.prefixed = true;
  ByteReader inner(raw.body);
  std::uint32_t n = 0;
  while (!inner.empty()) {
    std::uint64_t v = 0;
    if (inner.uvarint(v) != ReadStatus::Ok) {
      raw.why = fmt::format("event {} has a malformed argument", old_spec(raw.type).name);
      return ReadStatus::Corrupt;
    }
    if (n < OldTrace::Raw::kMaxArgs) raw.args[n] = v;
    n++;  // at most one per body byte, and the body is bounded by the input size
  }
  raw.narg = n;
  if (raw.type == OldType::UserLog) {
    std::uint64_t m = 0;
    if ((r = c.uvarint(m)) != ReadStatus::Ok) return r;
    if (m > 1'000'000) {
      raw.why = fmt::format("string is too large (len={})", m);
      return ReadStatus::Corrupt;
    }
    if ((r = c.bytes(m, raw.payload)) != ReadStatus::Ok) return r;
  }
  return ReadStatus::Ok;
}

// The times (and before 1.7 the sequence numbers) of a batch's events are deltas from its own.
void OldTrace::Cursor::start_batch(const Raw& header, unsigned minor) {
  if (minor < 7) {
    last_seq = static_cast<std::int64_t>(header.args[1]);
    last_ts = static_cast<std::int64_t>(header.args[2]);
  } else {
    last_ts = static_cast<std::int64_t>(header.args[1]);
  }
}

bool OldTrace::next_in_stream(Cursor& cur, OldEvent& out, std::int64_t* seq, Raw& raw) const {
  if (cur.stream == streams_.size()) {  // the CPU-sample stream
    if (cur.batch >= cpu_samples_.size()) return false;
    out = cpu_samples_[cur.batch++];
    return true;
  }
  const Stream& s = streams_[cur.stream];
  for (;;) {
    if (!cur.started || cur.pos >= cur.end) {
      if (cur.started) cur.batch++;
      if (cur.batch >= s.batches.size()) return false;
      cur.started = true;
      cur.pos = s.batches[cur.batch].begin;
      cur.end = s.batches[cur.batch].end;
      if (cur.pos >= cur.end) continue;
    }
    ByteReader c(data_, cur.pos, cur.end);
    const std::uint64_t start = cur.pos;
    if (read_record(c, minor_, known_types_, raw) != ReadStatus::Ok) {
      cur.pos = cur.end;  // cannot happen after index(): it checked every record
      continue;
    }
    cur.pos = c.offset();
    switch (raw.type) {
      case OldType::Batch: cur.start_batch(raw, minor_); continue;
      case OldType::String:
      case OldType::Stack:
      case OldType::Frequency:
      case OldType::TimerGoroutine:
      case OldType::CPUSample: continue;
      default: break;
    }
    const auto& spec = old_spec(raw.type);
    out = OldEvent{};
    out.type = raw.type;
    out.p = s.pid;
    out.g = cur.last_g;
    out.offset = start + kTraceHeaderSize;
    std::size_t first = 1;
    if (minor_ < 7) {
      cur.last_seq = wrapping_add(cur.last_seq, static_cast<std::int64_t>(raw.args[0]));
      if (seq != nullptr) *seq = cur.last_seq;
      out.ts = wrapping_add(cur.last_ts, static_cast<std::int64_t>(raw.args[1]));
      first = 2;
    } else {
      out.ts = wrapping_add(cur.last_ts, static_cast<std::int64_t>(raw.args[0]));
    }
    cur.last_ts = out.ts;
    // index() checked it is the type's count, at most kMaxArgs.
    const std::size_t n = std::min<std::size_t>(raw.narg, Raw::kMaxArgs);
    std::size_t last = n;  // the arguments after the time stamp, then the stack id if any
    if (spec.stack && last > first) out.stk = static_cast<std::uint32_t>(raw.args[--last]);
    for (std::size_t i = first; i < last && i - first < 3; i++) out.args[i - first] = raw.args[i];
    switch (raw.type) {
      case OldType::GoStart:
      case OldType::GoStartLocal:
      case OldType::GoStartLabel:
        cur.last_g = out.args[0];
        out.g = cur.last_g;
        break;
      case OldType::GoEnd:
      case OldType::GoStop:
      case OldType::GoSched:
      case OldType::GoPreempt:
      case OldType::GoSysBlock: cur.last_g = 0; break;
      case OldType::GoSysExit:
      case OldType::GoWaiting:
      case OldType::GoInSyscall: out.g = out.args[0]; break;
      case OldType::UserLog: out.args[3] = inline_ids_.at(raw.payload); break;
      case OldType::GCStart:
      case OldType::GCDone:
      case OldType::STWStart:
      case OldType::STWDone:
        if (dialect_ == Dialect::Go119) out.g = 0;
        break;
      default:
        if (is_block(raw.type)) cur.last_g = 0;
        break;
    }
    return true;
  }
}

}  // namespace gtanalyze::parser::v1
