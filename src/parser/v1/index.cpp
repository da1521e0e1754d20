// The indexing pass over an old trace: every record checked once, batches located per P, and
// the tables (strings, stacks, frequency, timer goroutines, CPU samples) collected.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

#include "base/go_sort.hpp"
#include "gtanalyze/trace_header.hpp"
#include "parser/v1/records.hpp"

namespace gtanalyze::parser::v1 {
namespace {

constexpr std::size_t kTypes = static_cast<std::size_t>(OldType::Count);

// How many wire arguments an event must have (Go's argNum).
std::size_t expected_args(OldType t, unsigned minor) {
  const auto& s = old_spec(t);
  std::size_t n = s.arg_count + (s.stack ? 1u : 0u);
  if (t == OldType::Batch || t == OldType::Frequency || t == OldType::TimerGoroutine) {
    return minor < 7 ? n + 1 : n;  // an unused argument before 1.7
  }
  n++;                 // timestamp
  if (minor < 7) n++;  // sequence number
  if (t == OldType::GCSweepDone && minor < 9) n -= 2;
  if ((t == OldType::GCStart || t == OldType::GoStart || t == OldType::GoUnblock) && minor < 7) n--;
  if (t == OldType::STWStart && minor < 10) n--;
  return n;
}

}  // namespace

// The indexing pass: a handler per kind of record, and the state kept between records.
class OldTrace::Indexer {
 public:
  explicit Indexer(OldTrace& trace) : trace_(trace) {
    for (std::size_t t = 0; t < kTypes; t++) want_args_[t] = expected_args(static_cast<OldType>(t), trace.minor_);
  }
  // Indexes every record. Returns where the whole records end: the input's end, or the start of
  // a record the writer left incomplete (a warning says so).
  Result<std::uint64_t> records();

 private:
  Status add();  // the record in raw_, read at start_
  Status second_trace() const;
  Status add_table();
  Status add_string();
  Status open_batch();
  Status set_frequency();
  Status add_stack();
  void add_stack_frames(std::uint32_t id, std::uint64_t size, std::uint64_t per_frame);
  void add_cpu_sample();
  void add_log_message();
  Error corrupt(std::string_view what) const {
    return trace_.error_at(ErrorCode::Corrupt, start_, fmt::format("{} (record {})", what, record_));
  }

  OldTrace& trace_;
  Raw raw_;
  std::uint64_t start_ = 0;                                  // offset of the record being indexed
  std::uint64_t record_ = 0;                                 // and its number
  Batch* open_ = nullptr;                                    // the last batch begun: it ends where the next one starts
  std::unordered_map<std::int32_t, std::size_t> stream_of_;  // P id → index in streams_
  std::vector<std::uint64_t> stack_args_;
  std::array<std::size_t, kTypes> want_args_{};  // expected_args() of each type, for this version
};

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
  auto data_end = Indexer(*this).records();
  if (!data_end) return data_end.error();
  if (streams_.empty()) return error_at(ErrorCode::Corrupt, *data_end, "trace is empty: no event batch");
  if (ticks_per_sec_ == 0) {
    // The tracer writes Frequency when tracing stops: without it the trace was cut short, here
    // between two records.
    if (!truncated_) {
      truncated_ = true;
      warnings_.push_back(
          fmt::format("trace truncated: it ends at byte offset {} without the records written when tracing stops",
                      *data_end + kTraceHeaderSize));
    }
    ticks_per_sec_ = 1'000'000'000;
    times_in_ticks_ = true;
    warnings_.push_back("the Frequency record was cut off: times are in CPU ticks, not nanoseconds");
  }
  std::sort(streams_.begin(), streams_.end(), [](const Stream& a, const Stream& b) { return a.pid < b.pid; });
  // Samples were written late, in lock order: place them by the time the signal arrived, ties
  // where Go's parser leaves them.
  base::go_sort(cpu_samples_.begin(), cpu_samples_.end(),
                [](const OldEvent& a, const OldEvent& b) { return a.ts < b.ts; });
  return {};
}

Result<std::uint64_t> OldTrace::Indexer::records() {
  OldTrace& t = trace_;
  ByteReader c(t.data_);
  std::uint64_t data_end = t.data_.size();
  for (; !c.empty(); record_++) {
    start_ = c.offset();
    if (t.data_[start_] == 'g') GTA_TRY(second_trace());
    const ReadStatus r = read_record(c, t.minor_, t.known_types_, raw_);
    if (r == ReadStatus::Truncated) {
      // The writer was cut off: keep every complete record before this one.
      t.truncated_ = true;
      data_end = start_;
      t.warnings_.push_back(
          fmt::format("trace truncated: the record at byte offset {} (record {}) is incomplete; analysed the {} "
                      "bytes before it",
                      start_ + kTraceHeaderSize, record_, start_ + kTraceHeaderSize));
      break;
    }
    if (r == ReadStatus::Corrupt) return corrupt(raw_.why);
    GTA_TRY(add());
  }
  if (open_ != nullptr) open_->end = data_end;
  return data_end;
}

// Traces written one after another into one file (`cat a.trace b.trace`): the second one's
// header reads as a record ('g' is GoUnblockLocal's type byte); say what it is.
Status OldTrace::Indexer::second_trace() const {
  auto message = gtanalyze::second_trace(std::string_view(trace_.data_).substr(start_, kTraceHeaderSize),
                                         start_ + kTraceHeaderSize);
  if (!message) return {};
  return trace_.error_at(ErrorCode::Corrupt, start_, *message);
}

Status OldTrace::Indexer::add() {
  const OldType type = raw_.type;
  if (type == OldType::String) return add_string();
  if (type != OldType::Stack && raw_.narg != want_args_[static_cast<std::size_t>(type)]) {
    return corrupt(fmt::format("{} has wrong number of arguments: want {}, got {}", old_spec(type).name,
                               want_args_[static_cast<std::size_t>(type)], raw_.narg));
  }
  if (type == OldType::Batch) return open_batch();
  if (open_ == nullptr) return corrupt(fmt::format("{} event before the first batch", old_spec(type).name));
  if (!is_stream_event(type)) return add_table();
  trace_.stream_events_++;  // one next_in_stream() yields
  if (type == OldType::UserLog) add_log_message();
  if (type == OldType::STWStart && trace_.dialect_ == Dialect::Go119 && trace_.minor_ >= 10 && raw_.args[1] > 1) {
    return corrupt(fmt::format("unknown STW kind {}", raw_.args[1]));
  }
  return {};
}

// A record that is not an event of its stream (nor a String or Batch).
Status OldTrace::Indexer::add_table() {
  switch (raw_.type) {
    case OldType::Frequency: return set_frequency();
    case OldType::TimerGoroutine: trace_.timer_goids_.insert(raw_.args[0]); return {};
    case OldType::Stack: return add_stack();
    case OldType::CPUSample: add_cpu_sample(); return {};
    default: return {};
  }
}

Status OldTrace::Indexer::add_string() {
  auto [it, fresh] = trace_.strings_.emplace(raw_.args[0], raw_.payload);
  if (!fresh) return corrupt(fmt::format("string has duplicate id {}", raw_.args[0]));
  return {};
}

Status OldTrace::Indexer::open_batch() {
  const std::uint64_t pid = raw_.args[0];
  if (pid != ~std::uint64_t{0} && pid > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    return corrupt(fmt::format("processor ID {} is too large", pid));
  }
  const auto pid32 = pid == ~std::uint64_t{0} ? std::int32_t{-1} : static_cast<std::int32_t>(pid);
  if (open_ != nullptr) open_->end = start_;
  auto [it, fresh] = stream_of_.emplace(pid32, trace_.streams_.size());
  if (fresh) {
    if (trace_.streams_.size() >= 0x7fff) {
      return trace_.error_at(ErrorCode::Limit, start_, "more than 32767 Ps: beyond what this decoder orders");
    }
    trace_.streams_.push_back(Stream{pid32, {}});
  }
  auto& batches = trace_.streams_[it->second].batches;
  batches.push_back(Batch{start_, 0});
  open_ = &batches.back();
  return {};
}

Status OldTrace::Indexer::set_frequency() {
  trace_.ticks_per_sec_ = static_cast<std::int64_t>(raw_.args[0]);
  if (trace_.ticks_per_sec_ <= 0) return corrupt(fmt::format("time stamps out of order: frequency {}", raw_.args[0]));
  return {};
}

Status OldTrace::Indexer::add_stack() {
  if (raw_.narg < 2) {
    return corrupt(fmt::format("EvStack has wrong number of arguments: want at least 2, got {}", raw_.narg));
  }
  const std::uint64_t size = raw_.args[1];
  if (size > 1000) return corrupt(fmt::format("EvStack has bad number of frames: {}", size));
  const std::uint64_t per_frame = trace_.minor_ < 7 ? 1 : 4;  // 1.5 and 1.6 wrote bare PCs
  if (raw_.narg != 2 + per_frame * size) {
    return corrupt(
        fmt::format("EvStack has wrong number of arguments: want {}, got {}", 2 + per_frame * size, raw_.narg));
  }
  // All the arguments: read_record keeps only the first few (and checked the body).
  if (raw_.prefixed) {
    stack_args_.clear();
    ByteReader inner(raw_.body);
    for (std::uint64_t v = 0; inner.uvarint(v) == ReadStatus::Ok;) stack_args_.push_back(v);
  } else {
    stack_args_.assign(raw_.args.begin(), raw_.args.begin() + raw_.narg);  // narg < kMaxArgs here
  }
  const auto id = static_cast<std::uint32_t>(stack_args_[0]);
  if (id != 0 && size > 0) {
    add_stack_frames(id, size, per_frame);
  } else if (id != 0) {
    trace_.stacks_.emplace(id);  // an empty declaration hides no frames declared before
  }
  return {};
}

// Stack `id`'s PCs from stack_args_, and the first frame seen for each PC.
void OldTrace::Indexer::add_stack_frames(std::uint32_t id, std::uint64_t size, std::uint64_t per_frame) {
  const auto& a = stack_args_;
  const auto first = static_cast<std::uint32_t>(trace_.stack_data_.size());
  for (std::uint64_t i = 0; i < size; i++) {
    const std::uint64_t pc = a[2 + i * per_frame];
    trace_.stack_data_.push_back(pc);
    if (per_frame == 4) {
      trace_.frames_.try_emplace(pc, PcFrame{a[2 + i * 4 + 1], a[2 + i * 4 + 2], a[2 + i * 4 + 3]});
    } else {
      trace_.frames_.try_emplace(pc, PcFrame{});
    }
  }
  // A later declaration wins, as in Go's map.
  auto [e, fresh] = trace_.stacks_.emplace(id);
  if (fresh || e->second.size == 0) trace_.stack_ids_.push_back(id);
  e->second = {first, static_cast<std::uint32_t>(size)};
}

void OldTrace::Indexer::add_cpu_sample() {
  OldEvent e;
  e.type = OldType::CPUSample;
  e.offset = start_ + kTraceHeaderSize;
  // [ts delta, real ts, p, g, stack]: a sample is placed by when the signal arrived.
  e.ts = static_cast<std::int64_t>(raw_.args[1]);
  e.p = static_cast<std::int32_t>(raw_.args[2]);
  e.g = raw_.args[3];
  e.args = {0, raw_.args[2], raw_.args[3], 0};
  e.stk = static_cast<std::uint32_t>(raw_.args[4]);
  trace_.cpu_samples_.push_back(e);
}

// A log message's text gets an inline string id, each distinct text once.
void OldTrace::Indexer::add_log_message() {
  if (trace_.inline_ids_.find(raw_.payload) == trace_.inline_ids_.end()) {
    trace_.inline_ids_.emplace(raw_.payload, static_cast<std::uint32_t>(trace_.inline_strings_.size()));
    trace_.inline_strings_.push_back(raw_.payload);
  }
}

}  // namespace gtanalyze::parser::v1
