// Exact latency percentiles in little memory: samples are counted by value in an open-addressing
// table (scheduling latencies repeat a lot: they are multiples of the trace's clock tick), and
// the nearest-rank percentiles are read off the sorted distinct values. The result is the same
// as sorting every sample.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gtanalyze/summary.hpp"

namespace gtanalyze::analysis {

class LatencyHistogram {
 public:
  void add(Duration value, std::uint64_t count = 1) {
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
  // Takes in `other`'s samples and leaves it empty, its memory freed: the smaller of the two is
  // added to the larger, so that the biggest histogram is never copied.
  void absorb(LatencyHistogram&& other);
  [[nodiscard]] std::uint64_t count() const { return total_; }

  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  [[nodiscard]] LatencyStats stats() const;

 private:
  struct Slot {
    Duration value = 0;
    std::uint64_t count = 0;  // 0: empty
  };
  [[nodiscard]] std::size_t slot_of(Duration v) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(v) * 0x9e3779b97f4a7c15ull) >> 20) & mask_;
  }
  void grow();

  std::vector<Slot> slots_;
  // From slots_.size(), set by grow(): add() needs them for every sample.
  std::size_t mask_ = 0, max_used_ = 0;
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace gtanalyze::analysis
