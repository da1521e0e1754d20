// IdMap: dense and sparse ids behave like one map; growing moves sparse entries into the dense part.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>

#include "base/id_map.hpp"

using gtanalyze::base::IdMap;

TEST_CASE("IdMap finds what was put in (dense or sparse) and nothing else") {
  IdMap<std::string> m;
  CHECK(m.find(0) == m.end());
  CHECK(m.find(-1) == nullptr);
  m[3] = "three";
  m[-7] = "minus seven";                  // negative: always sparse
  m[std::int64_t{1} << 40] = "far away";  // beyond the dense limit
  REQUIRE(m.find(3) != nullptr);
  CHECK(m.find(3)->first == 3);
  CHECK(m.find(3)->second == "three");
  CHECK(m.find(-7)->second == "minus seven");
  CHECK(m.find(std::int64_t{1} << 40)->second == "far away");
  CHECK(m.find(2) == nullptr);
  CHECK(m.find(4) == nullptr);
  CHECK(m.find(-8) == nullptr);
}

TEST_CASE("IdMap::emplace keeps an existing value and says whether it inserted") {
  IdMap<int> m;
  auto [e1, inserted1] = m.emplace(5, 50);
  CHECK(inserted1);
  CHECK(e1->second == 50);
  auto [e2, inserted2] = m.emplace(5, 99);
  CHECK_FALSE(inserted2);
  CHECK(e2->second == 50);
  CHECK(m[5] == 50);
  CHECK(m[6] == 0);  // operator[] inserts a default value
  CHECK(m.find(6) != nullptr);
}

TEST_CASE("IdMap::erase by id or by entry (dense or sparse)") {
  IdMap<int> m;
  m[1] = 10;
  m[-2] = 20;
  m[3] = 30;
  m.erase(1);
  CHECK(m.find(1) == nullptr);
  m.erase(m.find(-2));
  CHECK(m.find(-2) == nullptr);
  m.erase(12345);  // absent: nothing happens
  CHECK(m.find(3)->second == 30);
  m[1] = 11;  // an erased id can come back
  CHECK(m.find(1)->second == 11);
}

TEST_CASE("IdMap moves sparse ids into the dense part when it grows (values intact)") {
  IdMap<std::int64_t> m;
  // A large id with few entries goes to the sparse part (the dense part grows only in proportion
  // to the entries held)...
  const std::int64_t big = 100000;
  m[big] = 1;
  CHECK(m.find(big)->second == 1);
  // ...until enough entries make the dense part cover it: find() then looks for it there only.
  const std::int64_t n = 70000;
  for (std::int64_t id = 0; id < n; id++) m[id] = id * 2;
  REQUIRE(m.find(big) != nullptr);
  CHECK(m.find(big)->second == 1);
  for (std::int64_t id = 0; id < n; id++) {
    const auto* e = m.find(id);
    REQUIRE(e != nullptr);
    CHECK(e->second == id * 2);
  }
  CHECK(m.find(n) == nullptr);
  CHECK(m.find(big + 1) == nullptr);
}
