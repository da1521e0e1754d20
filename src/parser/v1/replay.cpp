// Replaying an old trace's final order: each event decoded again from its stream, or taken from
// the moved list at its real time, then post-processed as Go's parser does.
#include <algorithm>
#include <limits>

#include "parser/go_arith.hpp"
#include "parser/v1/postprocess.hpp"
#include "parser/v1/records.hpp"

namespace gtanalyze::parser::v1 {

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
