// IdIndex, the wire ids of a generation's strings and stacks to table indices: dense while the ids
// are about as many as the entries, a hash map beyond, and the same answers either way.
#include <catch2/catch_test_macros.hpp>

#include <map>
#include <random>

#include "parser/v2/generation.hpp"

using gtanalyze::parser::v2::IdIndex;

TEST_CASE("IdIndex finds every id inserted, refuses it twice, whatever order the ids come in") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; round++) {
    IdIndex index;
    std::map<std::uint64_t, std::uint32_t> want;
    // Small ids first or last, far ids (sparse at first, dense once enough entries came) between.
    for (std::uint32_t i = 0; i < 3000; i++) {
      const std::uint64_t id = rng() % 4 == 0 ? rng() % (std::uint64_t{1} << 21) : rng() % 5000;
      const bool fresh = want.emplace(id, i).second;
      CHECK(index.insert(id, i) == fresh);
    }
    for (const auto& [id, i] : want) CHECK(index.find(id) == i);
    CHECK(index.find(std::uint64_t{1} << 40) == IdIndex::kAbsent);
  }
}

TEST_CASE("IdIndex: one far id in a tiny table is found") {
  IdIndex index;
  CHECK(index.insert((1 << 20) - 1, 0));
  CHECK(index.insert(1, 1));
  CHECK(index.find((1 << 20) - 1) == 0);
  CHECK(index.find(1) == 1);
  CHECK_FALSE(index.insert((1 << 20) - 1, 2));
}
