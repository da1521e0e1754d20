// Old-format decoding: wire records, the indexing pass, the ordering of per-P batches (Go's
// order.go) and the replay of the final order.
#include "parser/v1/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "gtanalyze/trace_header.hpp"
#include "parser/go_arith.hpp"
#include "parser/v1/postprocess.hpp"

namespace gtanalyze::parser::v1 {

// One wire record, decoded in place: no allocation per record.
struct OldTrace::Raw {
  // Events have at most 6 wire arguments (Go's argNum); only a Stack's frames go beyond, and
  // index() decodes those from `body`.
  static constexpr unsigned kMaxArgs = 8;
  OldType type = OldType::None;
  bool prefixed = false;  // the arguments were length-prefixed: `body` holds all of them
  std::uint32_t narg = 0;  // arguments on the wire; the first kMaxArgs are in `args`
  std::array<std::uint64_t, kMaxArgs> args{};
  std::string_view body;
  std::string_view payload;  // a String's bytes or a UserLog's message
  std::string why;           // what was wrong with a Corrupt record
};

namespace {

enum class ReadResult : std::uint8_t { Ok, End, Truncated, Corrupt };

// A bounded view of the input: every read checks what is left.
class Bounded {
 public:
  Bounded(std::string_view data, std::uint64_t pos, std::uint64_t end)
      : base_(reinterpret_cast<const std::uint8_t*>(data.data())), p_(base_ + pos), end_(base_ + end) {}
  std::uint64_t pos() const { return static_cast<std::uint64_t>(p_ - base_); }
  bool at_end() const { return p_ >= end_; }

  ReadResult byte(std::uint8_t& out) {
    if (p_ >= end_) return ReadResult::Truncated;
    out = *p_++;
    return ReadResult::Ok;
  }
  // Go's binary.Uvarint: at most 10 bytes, the 10th at most 1.
  ReadResult uvarint(std::uint64_t& out) {
    // One bound check per number when a longest one fits (nearly always), else one per byte.
    const auto left = static_cast<std::size_t>(end_ - p_);
    const bool roomy = left >= 10;
    std::uint64_t x = 0;
    for (unsigned i = 0; i < 10; i++) {
      if (!roomy && i >= left) return ReadResult::Truncated;
      const std::uint64_t b = p_[i];
      x |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        if (i == 9 && b > 1) return ReadResult::Corrupt;
        p_ += i + 1;
        out = x;
        return ReadResult::Ok;
      }
    }
    return ReadResult::Corrupt;
  }
  ReadResult bytes(std::uint64_t n, std::string_view& out) {
    if (n > static_cast<std::uint64_t>(end_ - p_)) return ReadResult::Truncated;
    out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return ReadResult::Ok;
  }

 private:
  const std::uint8_t* base_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// The event types a version knows, as bits: one test per record instead of a table look-up.
std::uint64_t known_types(unsigned minor) {
  std::uint64_t known = 0;
  for (unsigned t = 1; t < static_cast<unsigned>(OldType::Count); t++) {
    if (old_spec(static_cast<OldType>(t)).min_version <= minor) known |= std::uint64_t{1} << t;
  }
  return known;
}

ReadResult read_long_record(Bounded& c, unsigned minor, OldTrace::Raw& raw);

// Reads one wire record. On Corrupt, `raw.why` says what was wrong. Inline for the common record,
// an event with its arguments inline; strings and length-prefixed records go out of line.
inline ReadResult read_record(Bounded& c, unsigned minor, std::uint64_t known, OldTrace::Raw& raw) {
  std::uint8_t b = 0;
  if (c.at_end()) return ReadResult::End;
  if (auto r = c.byte(b); r != ReadResult::Ok) return r;
  auto t = static_cast<unsigned>(b & 0x3f);
  if (((known >> t) & 1) == 0) {
    raw.why = fmt::format("unknown event type {}", t);
    return ReadResult::Corrupt;
  }
  raw.type = static_cast<OldType>(t);
  raw.prefixed = false;
  raw.payload = {};
  // The top two bits count the arguments (timestamp included, plus a sequence number before
  // 1.7); their maximum means "length-prefixed".
  const unsigned narg = (b >> 6) + (minor < 7 ? 2u : 1u);
  const unsigned inline_limit = minor < 7 ? 5 : 4;
  if (raw.type == OldType::String || narg >= inline_limit) {
    return read_long_record(c, minor, raw);
  }
  for (unsigned i = 0; i < narg; i++) {
    if (auto r = c.uvarint(raw.args[i]); r != ReadResult::Ok) return r;
  }
  raw.narg = narg;
  return ReadResult::Ok;
}

// A String, or a record with length-prefixed arguments; read_record read the type byte.
ReadResult read_long_record(Bounded& c, unsigned minor, OldTrace::Raw& raw) {
  raw.narg = 0;
  ReadResult r = ReadResult::Ok;
  if (raw.type == OldType::String) {
    // [id, length, bytes]
    std::uint64_t id = 0, len = 0;
    if ((r = c.uvarint(id)) != ReadResult::Ok) return r;
    if ((r = c.uvarint(len)) != ReadResult::Ok) return r;
    if (id == 0) {
      raw.why = "string has invalid id 0";
      return ReadResult::Corrupt;
    }
    if (len == 0 || len > 1'000'000) {
      raw.why = fmt::format("string has invalid length {}", len);
      return ReadResult::Corrupt;
    }
    if ((r = c.bytes(len, raw.payload)) != ReadResult::Ok) return r;
    raw.args[0] = id;
    raw.narg = 1;
    return ReadResult::Ok;
  }
  std::uint64_t len = 0;
  if ((r = c.uvarint(len)) != ReadResult::Ok) return r;
  if (minor >= 11 && len > 2048) {
    raw.why = fmt::format("length-prefixed argument too big: {} bytes, limit is 2048", len);
    return ReadResult::Corrupt;
  }
  if ((r = c.bytes(len, raw.body)) != ReadResult::Ok) return r;
  raw.prefixed = true;
  Bounded inner(raw.body, 0, raw.body.size());
  std::uint32_t n = 0;
  while (!inner.at_end()) {
    std::uint64_t v = 0;
    if (inner.uvarint(v) != ReadResult::Ok) {
      raw.why = fmt::format("event {} has a malformed argument", old_spec(raw.type).name);
      return ReadResult::Corrupt;
    }
    if (n < OldTrace::Raw::kMaxArgs) raw.args[n] = v;
    n++;  // at most one per body byte, and the body is bounded by the input size
  }
  raw.narg = n;
  if (raw.type == OldType::UserLog) {
    std::uint64_t m = 0;
    if ((r = c.uvarint(m)) != ReadResult::Ok) return r;
    if (m > 1'000'000) {
      raw.why = fmt::format("string is too large (len={})", m);
      return ReadResult::Corrupt;
    }
    if ((r = c.bytes(m, raw.payload)) != ReadResult::Ok) return r;
  }
  return ReadResult::Ok;
}

// How many wire arguments an event must have (Go's argNum).
std::size_t expected_args(OldType t, unsigned minor) {
  const auto& s = old_spec(t);
  std::size_t n = s.arg_count + (s.stack ? 1u : 0u);
  if (t == OldType::Batch || t == OldType::Frequency || t == OldType::TimerGoroutine) {
    return minor < 7 ? n + 1 : n;  // an unused argument before 1.7
  }
  n++;                      // timestamp
  if (minor < 7) n++;       // sequence number
  if (t == OldType::GCSweepDone && minor < 9) n -= 2;
  if ((t == OldType::GCStart || t == OldType::GoStart || t == OldType::GoUnblock) && minor < 7) n--;
  if (t == OldType::STWStart && minor < 10) n--;
  return n;
}

// Goroutine ordering state (Go's order.go).
constexpr std::uint64_t kUnordered = ~std::uint64_t{0};
constexpr std::uint64_t kGarbage = ~std::uint64_t{0} - 1;
constexpr std::uint64_t kNoSeq = ~std::uint64_t{0};
constexpr std::uint64_t kSeqInc = ~std::uint64_t{0} - 1;
enum : std::uint8_t { kGDead, kGRunnable, kGRunning, kGWaiting };

struct GState {
  std::uint64_t seq = 0;
  std::uint8_t status = kGDead;
};

struct Transition {
  std::uint64_t g = kUnordered;
  GState init, next;
};

// What state a goroutine must be in for the event to be merged, and the state after it.
Transition state_transition(const OldEvent& ev) {
  switch (ev.type) {
    case OldType::GoCreate:
      return {ev.args[0], {0, kGDead}, {1, kGRunnable}};
    case OldType::GoWaiting:
    case OldType::GoInSyscall:
      return {ev.g, {1, kGRunnable}, {2, kGWaiting}};
    case OldType::GoStart:
    case OldType::GoStartLabel:
      return {ev.g, {ev.args[1], kGRunnable}, {ev.args[1] + 1, kGRunning}};
    case OldType::GoStartLocal:
      // Emitted on the P of the event that made it runnable, so that one is already merged.
      return {ev.g, {kNoSeq, kGRunnable}, {kSeqInc, kGRunning}};
    case OldType::GoSched:
    case OldType::GoPreempt:
      return {ev.g, {kNoSeq, kGRunning}, {kNoSeq, kGRunnable}};
    case OldType::GoUnblock:
    case OldType::GoSysExit:
      return {ev.args[0], {ev.args[1], kGWaiting}, {ev.args[1] + 1, kGRunnable}};
    case OldType::GoUnblockLocal:
    case OldType::GoSysExitLocal:
      return {ev.args[0], {kNoSeq, kGWaiting}, {kSeqInc, kGRunnable}};
    case OldType::GCStart:
      return {kGarbage, {ev.args[0], kGDead}, {ev.args[0] + 1, kGDead}};
    default:
      if (is_block(ev.type) || ev.type == OldType::GoSysBlock) {
        return {ev.g, {kNoSeq, kGRunning}, {kNoSeq, kGWaiting}};
      }
      return {};
  }
}

bool transition_ready(const Transition& t, const GState& cur) {
  return t.g == kUnordered || ((t.init.seq == kNoSeq || t.init.seq == cur.seq) && t.init.status == cur.status);
}

// "Local" variants only help ordering; after it they are the ordinary events.
void drop_local(OldEvent& ev) {
  switch (ev.type) {
    case OldType::GoStartLocal: ev.type = OldType::GoStart; break;
    case OldType::GoUnblockLocal: ev.type = OldType::GoUnblock; break;
    case OldType::GoSysExitLocal: ev.type = OldType::GoSysExit; break;
    default: break;
  }
}

}  // namespace

OldTrace::OldTrace(std::string bytes, unsigned minor, Dialect dialect)
    : data_(std::move(bytes)), minor_(minor), known_types_(known_types(minor)), dialect_(dialect) {}

Error OldTrace::error_at(ErrorCode code, std::uint64_t pos, std::string message) const {
  return make_error(code, pos + kTraceHeaderSize, std::move(message));
}

std::span<const std::uint64_t> OldTrace::stack_pcs(std::uint32_t id) const {
  const auto* e = stacks_.find(id);
  if (e == nullptr) return {};
  return std::span<const std::uint64_t>(stack_data_).subspan(e->second.first, e->second.size);
}

const PcFrame* OldTrace::frame(std::uint64_t pc) const {
  auto it = frames_.find(pc);
  return it == frames_.end() ? nullptr : &it->second;
}

std::string_view OldTrace::string(std::uint64_t id) const {
  auto it = strings_.find(id);
  return it == strings_.end() ? std::string_view{} : it->second;
}

Status OldTrace::load() {
  GTA_TRY(index());
  if (minor_ < 7) return order_by_seq_1_5();
  return order_by_sequence();
}

Status OldTrace::index() {
  Raw raw;
  std::vector<std::uint64_t> stack_args;
  std::uint64_t record = 0;
  std::unordered_map<std::int32_t, std::size_t> stream_of;
  std::size_t cur = std::numeric_limits<std::size_t>::max();  // stream of the open batch
  Batch* open = nullptr;
  std::uint64_t data_end = data_.size();
  Bounded c(data_, 0, data_.size());
  for (;; record++) {
    std::uint64_t start = c.pos();
    auto r = read_record(c, minor_, known_types_, raw);
    if (r == ReadResult::End) break;
    if (r == ReadResult::Truncated) {
      // The writer was cut off: keep every complete record before this one.
      truncated_ = true;
      data_end = start;
      warnings_.push_back(fmt::format(
          "trace truncated: the record at byte offset {} (record {}) is incomplete; analysed the {} "
          "bytes before it",
          start + kTraceHeaderSize, record, start + kTraceHeaderSize));
      break;
    }
    if (r == ReadResult::Corrupt) {
      return error_at(ErrorCode::Corrupt, start, fmt::format("{} (record {})", raw.why, record));
    }
    const auto t = raw.type;
    if (t == OldType::String) {
      auto [it, fresh] = strings_.emplace(raw.args[0], raw.payload);
      if (!fresh) {
        return error_at(ErrorCode::Corrupt, start, fmt::format("string has duplicate id {} (record {})", raw.args[0], record));
      }
      continue;
    }
    if (t != OldType::Stack && raw.narg != expected_args(t, minor_)) {
      return error_at(ErrorCode::Corrupt, start,
                      fmt::format("{} has wrong number of arguments: want {}, got {} (record {})",
                                  old_spec(t).name, expected_args(t, minor_), raw.narg, record));
    }
    if (t == OldType::Batch) {
      std::uint64_t pid = raw.args[0];
      if (pid != ~std::uint64_t{0} && pid > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
        return error_at(ErrorCode::Corrupt, start, fmt::format("processor ID {} is too large (record {})", pid, record));
      }
      auto pid32 = pid == ~std::uint64_t{0} ? std::int32_t{-1} : static_cast<std::int32_t>(pid);
      if (open != nullptr) open->end = start;
      auto [it, fresh] = stream_of.emplace(pid32, streams_.size());
      if (fresh) {
        if (streams_.size() >= 0x7fff) {
          return error_at(ErrorCode::Limit, start, "more than 32767 Ps: beyond what this decoder orders");
        }
        streams_.push_back(Stream{pid32, {}});
      }
      cur = it->second;
      streams_[cur].batches.push_back(Batch{start, 0});
      open = &streams_[cur].batches.back();
      continue;
    }
    if (cur == std::numeric_limits<std::size_t>::max()) {
      return error_at(ErrorCode::Corrupt, start,
                      fmt::format("{} event before the first batch (record {})", old_spec(t).name, record));
    }
    if (t != OldType::Stack && t != OldType::Frequency && t != OldType::TimerGoroutine && t != OldType::CPUSample) {
      stream_events_++;  // one next_in_stream() yields
    }
    switch (t) {
      case OldType::Frequency:
        ticks_per_sec_ = static_cast<std::int64_t>(raw.args[0]);
        if (ticks_per_sec_ <= 0) {
          return error_at(ErrorCode::Corrupt, start, fmt::format("time stamps out of order: frequency {} (record {})", raw.args[0], record));
        }
        break;
      case OldType::TimerGoroutine:
        timer_goids_.insert(raw.args[0]);
        break;
      case OldType::Stack: {
        if (raw.narg < 2) {
          return error_at(ErrorCode::Corrupt, start, fmt::format("EvStack has wrong number of arguments: want at least 2, got {} (record {})", raw.narg, record));
        }
        std::uint64_t size = raw.args[1];
        if (size > 1000) {
          return error_at(ErrorCode::Corrupt, start, fmt::format("EvStack has bad number of frames: {} (record {})", size, record));
        }
        std::uint64_t per_frame = minor_ < 7 ? 1 : 4;  // 1.5 and 1.6 wrote bare PCs
        if (raw.narg != 2 + per_frame * size) {
          return error_at(ErrorCode::Corrupt, start, fmt::format("EvStack has wrong number of arguments: want {}, got {} (record {})", 2 + per_frame * size, raw.narg, record));
        }
        // All the arguments: read_record keeps only the first few (and checked the body).
        if (raw.prefixed) {
          stack_args.clear();
          Bounded inner(raw.body, 0, raw.body.size());
          for (std::uint64_t v = 0; inner.uvarint(v) == ReadResult::Ok;) stack_args.push_back(v);
        } else {
          stack_args.assign(raw.args.begin(), raw.args.begin() + raw.narg);  // narg < kMaxArgs here
        }
        const auto& a = stack_args;
        auto id = static_cast<std::uint32_t>(a[0]);
        if (id != 0 && size > 0) {
          auto first = static_cast<std::uint32_t>(stack_data_.size());
          for (std::uint64_t i = 0; i < size; i++) {
            std::uint64_t pc = a[2 + i * per_frame];
            stack_data_.push_back(pc);
            if (per_frame == 4) {
              frames_.try_emplace(pc, PcFrame{a[2 + i * 4 + 1], a[2 + i * 4 + 2], a[2 + i * 4 + 3]});
            } else {
              frames_.try_emplace(pc, PcFrame{});
            }
          }
          // A later declaration wins, as in Go's map.
          auto [e, fresh] = stacks_.emplace(id);
          if (fresh || e->second.size == 0) stack_ids_.push_back(id);
          e->second = {first, static_cast<std::uint32_t>(size)};
        } else if (id != 0) {
          stacks_.emplace(id);  // an empty declaration hides no frames declared before
        }
        break;
      }
      case OldType::CPUSample: {
        OldEvent e;
        e.type = t;
        e.offset = start + kTraceHeaderSize;
        // [ts delta, real ts, p, g, stack]: a sample is placed by when the signal arrived.
        e.ts = static_cast<std::int64_t>(raw.args[1]);
        e.p = static_cast<std::int32_t>(raw.args[2]);
        e.g = raw.args[3];
        e.args = {0, raw.args[2], raw.args[3], 0};
        e.stk = static_cast<std::uint32_t>(raw.args[4]);
        cpu_samples_.push_back(e);
        break;
      }
      case OldType::UserLog:
        if (inline_ids_.find(raw.payload) == inline_ids_.end()) {
          inline_ids_.emplace(raw.payload, static_cast<std::uint32_t>(inline_strings_.size()));
          inline_strings_.push_back(raw.payload);
        }
        break;
      case OldType::STWStart:
        if (dialect_ == Dialect::Go119 && minor_ >= 10 && raw.args[1] > 1) {
          return error_at(ErrorCode::Corrupt, start, fmt::format("unknown STW kind {} (record {})", raw.args[1], record));
        }
        break;
      default:
        break;
    }
  }
  if (open != nullptr) open->end = data_end;
  if (streams_.empty()) return error_at(ErrorCode::Corrupt, data_end, "trace is empty: no event batch");
  if (ticks_per_sec_ == 0) {
    if (!truncated_) return error_at(ErrorCode::Corrupt, data_end, "no EvFrequency event");
    ticks_per_sec_ = 1'000'000'000;
    warnings_.push_back("the Frequency record was cut off: times are in CPU ticks, not nanoseconds");
  }
  std::sort(streams_.begin(), streams_.end(), [](const Stream& a, const Stream& b) { return a.pid < b.pid; });
  // Samples were written late, in lock order: place them by the time the signal arrived, ties
  // kept in file order.
  std::stable_sort(cpu_samples_.begin(), cpu_samples_.end(),
                   [](const OldEvent& a, const OldEvent& b) { return a.ts < b.ts; });
  return {};
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
    Bounded c(data_, cur.pos, cur.end);
    std::uint64_t start = cur.pos;
    if (read_record(c, minor_, known_types_, raw) != ReadResult::Ok) {
      cur.pos = cur.end;  // cannot happen after index(): it checked every record
      continue;
    }
    cur.pos = c.pos();
    switch (raw.type) {
      case OldType::Batch:
        if (minor_ < 7) {
          cur.last_seq = static_cast<std::int64_t>(raw.args[1]);
          cur.last_ts = static_cast<std::int64_t>(raw.args[2]);
        } else {
          cur.last_ts = static_cast<std::int64_t>(raw.args[1]);
        }
        continue;
      case OldType::String: case OldType::Stack: case OldType::Frequency:
      case OldType::TimerGoroutine: case OldType::CPUSample:
        continue;
      default:
        break;
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
      case OldType::GoStart: case OldType::GoStartLocal: case OldType::GoStartLabel:
        cur.last_g = out.args[0];
        out.g = cur.last_g;
        break;
      case OldType::GoEnd: case OldType::GoStop: case OldType::GoSched: case OldType::GoPreempt:
      case OldType::GoSysBlock:
        cur.last_g = 0;
        break;
      case OldType::GoSysExit: case OldType::GoWaiting: case OldType::GoInSyscall:
        out.g = out.args[0];
        break;
      case OldType::UserLog:
        out.args[3] = inline_ids_.at(raw.payload);
        break;
      case OldType::GCStart: case OldType::GCDone: case OldType::STWStart: case OldType::STWDone:
        if (dialect_ == Dialect::Go119) out.g = 0;
        break;
      default:
        if (is_block(raw.type)) cur.last_g = 0;
        break;
    }
    return true;
  }
}

Status OldTrace::order_by_sequence() {
  const auto nstreams = static_cast<std::uint32_t>(streams_.size() + 1);
  auto pid_of = [&](std::uint32_t s) { return s < streams_.size() ? streams_[s].pid : kProfileP; };
  std::vector<Cursor> cursors(nstreams);
  order_.reserve(stream_events_ + cpu_samples_.size());  // exact unless ordering stops early: no regrowth
  struct Head {
    OldEvent ev;
    Transition tr;  // of ev, worked out once (read in place: a copy stalls on the fresh stores)
    bool valid = false;
  };
  std::vector<Head> heads(nstreams);
  for (std::uint32_t s = 0; s < nstreams; s++) cursors[s].stream = s;
  std::vector<std::uint32_t> available(nstreams);
  for (std::uint32_t s = 0; s < nstreams; s++) available[s] = s;
  // Streams whose heads can be merged, keyed by their heads' times and Ps (the head is not read
  // on every comparison). Ties in time go to the lower P: Go leaves them to map order, we fix
  // one of its orders.
  struct Ready {
    std::int64_t ts = 0;
    std::int32_t pid = 0;
    std::uint32_t stream = 0;
  };
  auto later = [](const Ready& a, const Ready& b) { return a.ts != b.ts ? a.ts > b.ts : a.pid > b.pid; };
  std::vector<Ready> frontier;
  // By goroutine id (as int64: one to one; kGarbage, GC's sequence, goes to the sparse part).
  base::IdMap<GState> gs;
  base::IdMap<std::int64_t> last_sys_block;
  Raw raw;
  std::int64_t last_ts = std::numeric_limits<std::int64_t>::min();
  std::uint64_t out_of_order = 0, first_bad_offset = 0;
  std::uint64_t changed = kUnordered;  // the goroutine whose state the last merged event changed

  for (;;) {
    for (std::size_t i = 0; i < available.size();) {
      std::uint32_t s = available[i];
      Head& h = heads[s];
      if (!h.valid) {
        if (!next_in_stream(cursors[s], h.ev, nullptr, raw)) {
          available[i] = available.back();
          available.pop_back();
          continue;
        }
        h.tr = state_transition(h.ev);
        h.valid = true;
      } else if (h.tr.g != changed) {
        i++;  // it waited at the last look, and its goroutine's state has not changed since
        continue;
      }
      const Transition& tr = h.tr;
      const auto* git = tr.g == kUnordered ? nullptr : gs.find(static_cast<std::int64_t>(tr.g));
      if (!transition_ready(tr, git == nullptr ? GState{} : git->second)) {
        i++;
        continue;
      }
      frontier.push_back(Ready{h.ev.ts, pid_of(s), s});
      std::push_heap(frontier.begin(), frontier.end(), later);
      available[i] = available.back();
      available.pop_back();
    }
    if (frontier.empty()) {
      if (available.empty()) break;
      const OldEvent& stuck = heads[available.front()].ev;
      if (truncated_) {
        std::uint64_t left = 0;
        for (auto s : available) left += heads[s].valid ? 1 : 0;
        warnings_.push_back(fmt::format(
            "ordering stopped after {} events: the events waiting in {} P streams (first at byte offset {}) "
            "depend on events the truncation cut off",
            order_.size(), left, stuck.offset));
        break;
      }
      return make_error(ErrorCode::Corrupt, stuck.offset,
                        fmt::format("no consistent ordering of events possible: {} on P {} waits for a goroutine "
                                    "state that never comes (after {} ordered events)",
                                    old_spec(stuck.type).name, stuck.p, order_.size()));
    }
    std::pop_heap(frontier.begin(), frontier.end(), later);
    std::uint32_t s = frontier.back().stream;
    frontier.pop_back();
    OldEvent& ev = heads[s].ev;
    const Transition& tr = heads[s].tr;
    drop_local(ev);
    if (tr.g != kUnordered) {
      GState& curr = gs[static_cast<std::int64_t>(tr.g)];
      if (!transition_ready(tr, curr)) {
        return make_error(ErrorCode::Corrupt, ev.offset, fmt::format("encountered impossible goroutine state transition (event {})", order_.size()));
      }
      GState next = tr.next;
      if (next.seq == kNoSeq) next.seq = curr.seq;
      if (next.seq == kSeqInc) next.seq = curr.seq + 1;
      curr = next;
    }
    changed = tr.g;
    // Time must follow the order; when it does not (CPUs with skewed clocks), keep the sound
    // order and repair the times instead of rejecting the trace as Go does.
    if (ev.ts < last_ts) {
      if (out_of_order++ == 0) first_bad_offset = ev.offset;
      clamp_ts_ = true;
      ev.ts = last_ts;
    }
    last_ts = ev.ts;
    std::uint16_t entry = static_cast<std::uint16_t>(s);
    if (ev.type == OldType::GoSysBlock || ev.type == OldType::GoInSyscall) {
      last_sys_block[static_cast<std::int64_t>(ev.g)] = ev.ts;
    } else if (ev.type == OldType::GoSysExit && ev.args[2] != 0) {
      // The exit was recorded when the goroutine got a P back; its real time is an argument.
      auto real = static_cast<std::int64_t>(ev.args[2]);
      const auto* it = last_sys_block.find(static_cast<std::int64_t>(ev.g));
      std::int64_t block = it == nullptr ? 0 : it->second;
      if (block == 0) return make_error(ErrorCode::Corrupt, ev.offset, fmt::format("stray syscall exit (event {})", order_.size()));
      if (real < block) {
        return make_error(ErrorCode::Corrupt, ev.offset, fmt::format("time stamps out of order: syscall exit before its block (event {})", order_.size()));
      }
      OldEvent moved = ev;
      moved.ts = real;
      moved_.push_back(Moved{real, order_.size(), moved});
      entry |= kMovedBit;
    }
    order_.push_back(entry);
    heads[s].valid = false;
    available.push_back(s);
  }
  if (out_of_order > 0) {
    warnings_.push_back(fmt::format(
        "time stamps out of order: {} events carry a time before the event ordered ahead of them (first at byte "
        "offset {}); their times were raised to keep the stream monotonic",
        out_of_order, first_bad_offset));
  }
  std::sort(moved_.begin(), moved_.end(), [](const Moved& a, const Moved& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  order_count_ = order_.size();
  order_.shrink_to_fit();
  return {};
}

Status OldTrace::order_by_seq_1_5() {
  // Go 1.5 numbered every event globally: the order is the sequence numbers' order.
  Raw raw;
  std::uint64_t n = 0;
  for (std::uint32_t s = 0; s < streams_.size(); s++) {
    Cursor c;
    c.stream = s;
    OldEvent ev;
    std::int64_t seq = 0;
    while (next_in_stream(c, ev, &seq, raw)) {
      if (ev.type == OldType::GoSysExit) {
        // Emitted once the thread had a P again: its real sequence number and time are arguments.
        seq = static_cast<std::int64_t>(ev.args[1]);
        if (ev.args[2] != 0) ev.ts = static_cast<std::int64_t>(ev.args[2]);
      }
      drop_local(ev);
      moved_.push_back(Moved{seq, n++, ev});
    }
  }
  std::sort(moved_.begin(), moved_.end(), [](const Moved& a, const Moved& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  std::uint64_t bad = 0, first_bad = 0;
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (auto& m : moved_) {
    if (m.ev.ts < last) {
      if (bad++ == 0) first_bad = m.ev.offset;
      m.ev.ts = last;
    }
    last = m.ev.ts;
  }
  if (bad > 0) {
    warnings_.push_back(fmt::format(
        "time stamps out of order: {} events (first at byte offset {}) carry a time before an event with a "
        "lower sequence number; ordered by sequence number and their times raised",
        bad, first_bad));
  }
  order_count_ = moved_.size();
  return {};
}

// ---- Replay -----------------------------------------------------------------------------------

struct OldTrace::Replay::State {
  explicit State(const OldTrace& t) : post(t) {}
  std::vector<Cursor> cursors;
  Raw raw;
  std::size_t opos = 0, mpos = 0;
  bool a_valid = false;
  OldEvent a;  // the next event from the streams
  OldEvent b;  // the moved event being yielded
  std::uint64_t a_index = 0;
  std::int64_t clamp_last = std::numeric_limits<std::int64_t>::min();
  bool have_min = false;
  std::int64_t min_ts = 0;
  double ns_per_tick = 1.0;
  PostProcessor post;
};

OldTrace::Replay::Replay(const OldTrace& trace, const std::vector<bool>* netpoll)
    : trace_(trace), netpoll_(netpoll), state_(std::make_unique<State>(trace)) {
  state_->cursors.resize(trace.streams_.size() + 1);
  for (std::uint32_t s = 0; s < state_->cursors.size(); s++) state_->cursors[s].stream = s;
  state_->ns_per_tick = 1e9 / static_cast<double>(trace.ticks_per_sec_);
}

OldTrace::Replay::~Replay() = default;

std::uint64_t OldTrace::Replay::missing_stacks() const { return state_->post.missing_stacks(); }
std::uint64_t OldTrace::Replay::first_missing_stack_offset() const { return state_->post.first_missing_stack_offset(); }

Result<const OldEvent*> OldTrace::Replay::next() {
  State& st = *state_;
  const auto& order = trace_.order_;
  const auto& moved = trace_.moved_;
  while (!st.a_valid && st.opos < order.size()) {
    std::uint16_t entry = order[st.opos];
    // Decoded in place: copying a just-written event stalls on store forwarding.
    OldEvent& ev = st.a;
    trace_.next_in_stream(st.cursors[entry & ~kMovedBit], ev, nullptr, st.raw);
    drop_local(ev);
    if (trace_.clamp_ts_) {
      ev.ts = std::max(ev.ts, st.clamp_last);
      st.clamp_last = ev.ts;
    }
    std::uint64_t idx = st.opos++;
    if ((entry & kMovedBit) != 0) continue;  // emitted from the moved list at its real time
    st.a_index = idx;
    st.a_valid = true;
  }
  bool have_b = st.mpos < moved.size();
  if (!st.a_valid && !have_b) return nullptr;
  OldEvent* out = nullptr;
  if (st.a_valid && (!have_b || st.a.ts < moved[st.mpos].key ||
                     (st.a.ts == moved[st.mpos].key && st.a_index < moved[st.mpos].index))) {
    out = &st.a;  // post-processed in place: the next call decodes the next one there
    st.a_valid = false;
  } else {
    st.b = moved[st.mpos++].ev;
    out = &st.b;
  }
  if (!st.have_min) {
    st.have_min = true;
    st.min_ts = out->ts;
  }
  // Ticks to nanoseconds from the first event, in floating point as Go does (no overflow).
  out->ts = go_float_to_int64(static_cast<double>(wrapping_sub(out->ts, st.min_ts)) * st.ns_per_tick);
  if (out->type == OldType::GoUnblock && !trace_.timer_goids_.empty() && trace_.timer_goids_.count(out->g) != 0) {
    out->p = kTimerP;  // (no timer goroutines since Go 1.14: skip the hashing)
  }
  if (out->type == OldType::GoSysExit) out->p = kSyscallP;
  if (netpoll_ != nullptr) {
    // Only a GoUnblock can have moved: the bit is looked up for those alone.
    const bool to_netpoll = out->type == OldType::GoUnblock && emitted_ < netpoll_->size() && (*netpoll_)[emitted_];
    st.post.rewrite(*out, to_netpoll);
  } else {
    GTA_TRY(st.post.apply(*out, emitted_));
  }
  emitted_++;
  return out;
}

}  // namespace gtanalyze::parser::v1
