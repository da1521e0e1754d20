// Exact latency percentiles in little memory: samples are counted by value in an open-addressing
// table (scheduling latencies repeat a lot: they are multiples of the trace's clock tick), and
// the nearest-rank percentiles are read off the sorted distinct values. The result is the same
// as sorting every sample.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class LatencyHistogram {
 public:
  // Inlined by force: once per goroutine start, where a call costs a quarter of the work.
  [[gnu::always_inline]] void add(Duration value, std::uint64_t count = 1) {
    if (used_ >= max_used_) grow();
    std::size_t i = slot_of(value);
    while (slots_[i].count != 0 && slots_[i].value != value) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    if (s.count == 0) {
      s.value = value;
      used_++;
    }
    s.count += count;
    total_ += count;
  }
  void merge(const LatencyHistogram& other) {
    for (const Slot& s : other.slots_)
      if (s.count != 0) add(s.value, s.count);
  }
  [[nodiscard]] std::uint64_t count() const { return total_; }

  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  [[nodiscard]] LatencyStats stats() const {
    LatencyStats out;
    if (total_ == 0) return out;
    std::vector<std::pair<Duration, std::uint64_t>> values;
    values.reserve(used_);
    for (const Slot& s : slots_)
      if (s.count != 0) values.emplace_back(s.value, s.count);
    std::sort(values.begin(), values.end());
    const std::uint64_t n = total_;
    auto rank = [&](std::uint64_t p) {
      const std::uint64_t r = std::max<std::uint64_t>(1, (p * n + 99) / 100);
      std::uint64_t seen = 0;
      for (const auto& [v, c] : values) {
        seen += c;
        if (seen >= r) return v;
      }
      return values.back().first;
    };
    out.count = n;
    out.p50 = rank(50);
    out.p90 = rank(90);
    out.p99 = rank(99);
    out.max = values.back().first;
    return out;
  }

 private:
  struct Slot {
    Duration value = 0;
    std::uint64_t count = 0;  // 0: empty
  };
  [[nodiscard]] std::size_t slot_of(Duration v) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(v) * 0x9e3779b97f4a7c15ull) >> 20) & mask_;
  }
  [[gnu::noinline]] void grow() {  // off the hot path of add()
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    max_used_ = slots_.size() / 2;  // at most half full, so that probes stay short
    used_ = 0;
    total_ = 0;
    for (const Slot& s : old)
      if (s.count != 0) add(s.value, s.count);
  }

  std::vector<Slot> slots_;
  // From slots_.size(), set by grow(): add() needs them for every sample.
  std::size_t mask_ = 0, max_used_ = 0;
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace gtanalyze::analysis
