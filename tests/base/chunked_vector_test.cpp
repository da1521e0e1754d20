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

TEST_CASE("ChunkedVector frees a chunk once its last element is consumed") {
  ChunkedVector<int> v;
  const std::size_t chunk = ChunkedVector<int>::kChunkSize;
  for (std::size_t i = 0; i < chunk + 2; i++) v.emplace_back() = static_cast<int>(i);
  // Consuming in order: the first chunk goes with element chunk-1; the elements after it stay.
  for (std::size_t i = 0; i < chunk; i++) v.consumed(i);
  CHECK(v[chunk] == static_cast<int>(chunk));
  CHECK(v[chunk + 1] == static_cast<int>(chunk + 1));
  v.consumed(chunk);
  CHECK(v[chunk + 1] == static_cast<int>(chunk + 1));  // not its chunk's last, nor the last element
}
