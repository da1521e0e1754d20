// ChunkedVector: elements never move as it grows; consumed chunks are freed.
#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <vector>

#include "base/chunked_vector.hpp"

using gtanalyze::base::ChunkedVector;

TEST_CASE("ChunkedVector keeps its elements in place as it grows") {
  ChunkedVector<int> v;
  CHECK(v.size() == 0);
  std::vector<int*> addresses;
  const std::size_t n = 3 * ChunkedVector<int>::kChunkSize + 5;
  for (std::size_t i = 0; i < n; i++) {
    int& e = v.emplace_back();
    CHECK(e == 0);  // value-initialised
    e = static_cast<int>(i) * 3;
    addresses.push_back(&e);
  }
  CHECK(v.size() == n);
  for (std::size_t i = 0; i < n; i++) {
    CHECK(&v[i] == addresses[i]);
    CHECK(v[i] == static_cast<int>(i) * 3);
  }
  const ChunkedVector<int>& cv = v;
  CHECK(cv[n - 1] == static_cast<int>(n - 1) * 3);
}

namespace {
// Counts its destructions: a chunk freed destroys all its elements at once.
struct Tracked {
  static inline std::size_t destroyed = 0;
  int value = 0;
  ~Tracked() { destroyed++; }
};
}  // namespace

TEST_CASE("ChunkedVector frees a chunk once all its elements are consumed, in any order") {
  Tracked::destroyed = 0;
  ChunkedVector<Tracked> v;
  const std::size_t chunk = ChunkedVector<Tracked>::kChunkSize;
  for (std::size_t i = 0; i < 2 * chunk + 2; i++) v.emplace_back().value = static_cast<int>(i);
  // The first chunk's last element first, then the second chunk backwards but for its first.
  v.consumed(chunk - 1);
  for (std::size_t i = 2 * chunk - 1; i > chunk; i--) v.consumed(i);
  CHECK(Tracked::destroyed == 0);
  CHECK(v[chunk].value == static_cast<int>(chunk));
  for (std::size_t i = 0; i + 1 < chunk; i++) v.consumed(i);
  CHECK(Tracked::destroyed == chunk);  // the first chunk, whole
  v.consumed(chunk);
  CHECK(Tracked::destroyed == 2 * chunk);
  // The last chunk holds two elements: freed with the second of them.
  v.consumed(2 * chunk + 1);
  CHECK(Tracked::destroyed == 2 * chunk);
  CHECK(v[2 * chunk].value == static_cast<int>(2 * chunk));
  v.consumed(2 * chunk);
  CHECK(Tracked::destroyed == 3 * chunk);
}
