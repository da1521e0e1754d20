// PooledMaps: many small maps in one pool behave like independent std::maps.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <map>
#include <random>

#include "base/pooled_maps.hpp"

using gtanalyze::base::PooledMaps;

namespace {

std::map<std::uint32_t, std::int64_t> as_map(const PooledMaps& pool, PooledMaps::Map m) {
  std::map<std::uint32_t, std::int64_t> out;
  pool.for_each(m, [&](std::uint32_t key, std::int64_t value) { out[key] = value; });
  return out;
}

}  // namespace

TEST_CASE("PooledMaps: operator() inserts 0 and then accumulates; maps are independent") {
  PooledMaps pool;
  PooledMaps::Map a = 0, b = 0;
  CHECK(as_map(pool, a).empty());
  pool(a, 7) += 5;
  pool(a, 7) += 6;
  pool(a, 9) = 1;
  pool(b, 7) = 100;
  CHECK(as_map(pool, a) == std::map<std::uint32_t, std::int64_t>{{7, 11}, {9, 1}});
  CHECK(as_map(pool, b) == std::map<std::uint32_t, std::int64_t>{{7, 100}});
  REQUIRE(pool.find(a, 9) != nullptr);
  CHECK(*pool.find(a, 9) == 1);
  CHECK(pool.find(a, 8) == nullptr);
  CHECK(pool.find(b, 9) == nullptr);
}

TEST_CASE("PooledMaps: erase and clear (released entries reused)") {
  PooledMaps pool;
  PooledMaps::Map a = 0, b = 0;
  for (std::uint32_t k = 1; k <= 4; k++) pool(a, k) = k * 10;
  pool.erase(a, 2);   // a middle entry
  pool.erase(a, 4);   // the head (the latest inserted)
  pool.erase(a, 42);  // absent
  CHECK(as_map(pool, a) == std::map<std::uint32_t, std::int64_t>{{1, 10}, {3, 30}});
  pool.clear(a);
  CHECK(a == 0);
  CHECK(as_map(pool, a).empty());
  pool(b, 5) = 50;
  pool(a, 6) = 60;
  CHECK(as_map(pool, b) == std::map<std::uint32_t, std::int64_t>{{5, 50}});
  CHECK(as_map(pool, a) == std::map<std::uint32_t, std::int64_t>{{6, 60}});
}

TEST_CASE("PooledMaps: a copy holds the same entries and changes apart from the original") {
  PooledMaps pool;
  PooledMaps::Map a = 0;
  for (std::uint32_t k = 1; k <= 3; k++) pool(a, k) = k * 10;
  PooledMaps::Map b = pool.copy(a);
  CHECK(b != a);
  CHECK(as_map(pool, b) == as_map(pool, a));
  pool(b, 2) += 5;
  pool.erase(b, 3);
  CHECK(as_map(pool, a) == std::map<std::uint32_t, std::int64_t>{{1, 10}, {2, 20}, {3, 30}});
  CHECK(as_map(pool, b) == std::map<std::uint32_t, std::int64_t>{{1, 10}, {2, 25}});
  CHECK(pool.copy(0) == 0);
}

TEST_CASE("PooledMaps matches std::map under a random mix of operations") {
  PooledMaps pool;
  PooledMaps::Map maps[8] = {};
  std::map<std::uint32_t, std::int64_t> model[8];
  std::mt19937 rng(19);
  for (int step = 0; step < 20000; step++) {
    const auto which = rng() % 8;
    const auto key = static_cast<std::uint32_t>(rng() % 6);
    switch (rng() % 4) {
      case 0:
      case 1: {
        const auto add = static_cast<std::int64_t>(rng() % 1000);
        pool(maps[which], key) += add;
        model[which][key] += add;
        break;
      }
      case 2:
        pool.erase(maps[which], key);
        model[which].erase(key);
        break;
      default:
        if (rng() % 8 == 0) {
          pool.clear(maps[which]);
          model[which].clear();
        }
        break;
    }
  }
  for (int i = 0; i < 8; i++) CHECK(as_map(pool, maps[i]) == model[i]);
}
