// Go's slices.SortFunc, step for step: pattern-defeating quicksort, as Go 1.26 writes it
// (src/slices/zsortanyfunc.go). Go's reader and summariser sort with it where elements can tie:
// the Ms of the reader's frontier, CPU samples, a goroutine's regions by start. It is not stable,
// and which of two equal elements comes first is part of Go's output (the order of events, of
// regions in the JSON); std::sort and std::stable_sort each order ties their own way. Only the
// algorithm's comparisons and swaps matter, so it is written here over indices of a random-access
// range, with `less(a, b)` standing for Go's `cmp(a, b) < 0`.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace gtanalyze::base {

namespace go_sort_detail {

enum class Hint { Unknown, Increasing, Decreasing };

template <class It, class Less>
class PdqSort {
 public:
  PdqSort(It data, Less& less) : d_(data), less_(less) {}

  void sort(std::ptrdiff_t a, std::ptrdiff_t b, int limit) {
    constexpr std::ptrdiff_t kMaxInsertion = 12;
    bool was_balanced = true, was_partitioned = true;
    for (;;) {
      const std::ptrdiff_t length = b - a;
      if (length <= kMaxInsertion) return insertion_sort(a, b);
      if (limit == 0) return heap_sort(a, b);
      if (!was_balanced) {
        break_patterns(a, b);
        limit--;
      }
      auto [pivot, hint] = choose_pivot(a, b);
      if (hint == Hint::Decreasing) {
        reverse(a, b);
        pivot = (b - 1) - (pivot - a);
        hint = Hint::Increasing;
      }
      if (was_balanced && was_partitioned && hint == Hint::Increasing && partial_insertion_sort(a, b)) return;
      // Go compares with the element before the range by absolute index (a > 0), whichever
      // range this is: kept, since it decides which way ties go.
      if (a > 0 && !lt(a - 1, pivot)) {
        a = partition_equal(a, b, pivot);
        continue;
      }
      const auto [mid, already_partitioned] = partition(a, b, pivot);
      was_partitioned = already_partitioned;
      const std::ptrdiff_t left = mid - a, right = b - mid, balance_threshold = length / 8;
      if (left < right) {
        was_balanced = left >= balance_threshold;
        sort(a, mid, limit);
        a = mid + 1;
      } else {
        was_balanced = right >= balance_threshold;
        sort(mid + 1, b, limit);
        b = mid;
      }
    }
  }

 private:
  bool lt(std::ptrdiff_t i, std::ptrdiff_t j) { return less_(d_[i], d_[j]); }
  void swap(std::ptrdiff_t i, std::ptrdiff_t j) {
    using std::swap;
    swap(d_[i], d_[j]);
  }

  void insertion_sort(std::ptrdiff_t a, std::ptrdiff_t b) {
    for (std::ptrdiff_t i = a + 1; i < b; i++)
      for (std::ptrdiff_t j = i; j > a && lt(j, j - 1); j--) swap(j, j - 1);
  }

  void sift_down(std::ptrdiff_t root, std::ptrdiff_t hi, std::ptrdiff_t first) {
    for (;;) {
      std::ptrdiff_t child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && lt(first + child, first + child + 1)) child++;
      if (!lt(first + root, first + child)) return;
      swap(first + root, first + child);
      root = child;
    }
  }

  void heap_sort(std::ptrdiff_t a, std::ptrdiff_t b) {
    const std::ptrdiff_t hi = b - a;
    for (std::ptrdiff_t i = (hi - 1) / 2; i >= 0; i--) sift_down(i, hi, a);
    for (std::ptrdiff_t i = hi - 1; i >= 0; i--) {
      swap(a, a + i);
      sift_down(0, i, a);
    }
  }

  // Moves data[a:b] so that elements before the returned index are less than the pivot and
  // those after are not; the pivot lands at that index.
  std::pair<std::ptrdiff_t, bool> partition(std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t pivot) {
    swap(a, pivot);
    std::ptrdiff_t i = a + 1, j = b - 1;
    while (i <= j && lt(i, a)) i++;
    while (i <= j && !lt(j, a)) j--;
    if (i > j) {
      swap(j, a);
      return {j, true};
    }
    swap(i, j);
    i++;
    j--;
    for (;;) {
      while (i <= j && lt(i, a)) i++;
      while (i <= j && !lt(j, a)) j--;
      if (i > j) break;
      swap(i, j);
      i++;
      j--;
    }
    swap(j, a);
    return {j, false};
  }

  // data[a:b] holds nothing less than the pivot: elements equal to it first, then the greater.
  std::ptrdiff_t partition_equal(std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t pivot) {
    swap(a, pivot);
    std::ptrdiff_t i = a + 1, j = b - 1;
    for (;;) {
      while (i <= j && !lt(a, i)) i++;
      while (i <= j && lt(a, j)) j--;
      if (i > j) return i;
      swap(i, j);
      i++;
      j--;
    }
  }

  // Fixes up to five out-of-order neighbours; true when data[a:b] ends sorted.
  bool partial_insertion_sort(std::ptrdiff_t a, std::ptrdiff_t b) {
    constexpr int kMaxSteps = 5;
    constexpr std::ptrdiff_t kShortestShifting = 50;
    std::ptrdiff_t i = a + 1;
    for (int step = 0; step < kMaxSteps; step++) {
      while (i < b && !lt(i, i - 1)) i++;
      if (i == b) return true;
      if (b - a < kShortestShifting) return false;
      swap(i, i - 1);
      // Go shifts down to index 1 of the whole slice, not to a: kept.
      if (i - a >= 2)
        for (std::ptrdiff_t j = i - 1; j >= 1 && lt(j, j - 1); j--) swap(j, j - 1);
      if (b - i >= 2)
        for (std::ptrdiff_t j = i + 1; j < b && lt(j, j - 1); j++) swap(j, j - 1);
    }
    return false;
  }

  void break_patterns(std::ptrdiff_t a, std::ptrdiff_t b) {
    const std::ptrdiff_t length = b - a;
    if (length < 8) return;
    auto random = static_cast<std::uint64_t>(length);  // Go's xorshift, seeded with the length
    const auto modulus = std::uint64_t{1} << std::bit_width(static_cast<std::uint64_t>(length));
    for (std::ptrdiff_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
      random ^= random << 13;
      random ^= random >> 7;
      random ^= random << 17;
      auto other = static_cast<std::ptrdiff_t>(random & (modulus - 1));
      if (other >= length) other -= length;
      swap(idx, a + other);
    }
  }

  std::ptrdiff_t median(std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t c, int& swaps) {
    auto order = [&](std::ptrdiff_t& x, std::ptrdiff_t& y) {
      if (lt(y, x)) {
        swaps++;
        std::swap(x, y);
      }
    };
    order(a, b);
    order(b, c);
    order(a, b);
    return b;
  }

  std::pair<std::ptrdiff_t, Hint> choose_pivot(std::ptrdiff_t a, std::ptrdiff_t b) {
    constexpr std::ptrdiff_t kShortestNinther = 50;
    constexpr int kMaxSwaps = 4 * 3;
    const std::ptrdiff_t l = b - a;
    int swaps = 0;
    std::ptrdiff_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
      if (l >= kShortestNinther) {
        i = median(i - 1, i, i + 1, swaps);
        j = median(j - 1, j, j + 1, swaps);
        k = median(k - 1, k, k + 1, swaps);
      }
      j = median(i, j, k, swaps);
    }
    if (swaps == 0) return {j, Hint::Increasing};
    if (swaps == kMaxSwaps) return {j, Hint::Decreasing};
    return {j, Hint::Unknown};
  }

  void reverse(std::ptrdiff_t a, std::ptrdiff_t b) {
    for (std::ptrdiff_t i = a, j = b - 1; i < j; i++, j--) swap(i, j);
  }

  It d_;
  Less& less_;
};

}  // namespace go_sort_detail

// Sorts [first, last) exactly as Go's slices.SortFunc with cmp(a, b) < 0 == less(a, b).
template <class It, class Less>
void go_sort(It first, It last, Less less) {
  const std::ptrdiff_t n = last - first;
  go_sort_detail::PdqSort<It, Less>(first, less)
      .sort(0, n, static_cast<int>(std::bit_width(static_cast<std::uint64_t>(n))));
}

}  // namespace gtanalyze::base
