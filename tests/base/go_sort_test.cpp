// go_sort orders ties as Go's slices.SortFunc does: tests/golden/go_sort/slices_sortfunc.txt holds
// inputs and the order Go 1.26 gave them (tools/golden/go-sort/main.go).
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/go_sort.hpp"

namespace {

struct Case {
  std::vector<int> keys;
  std::vector<int> go_order;  // input positions, as Go sorted them
};

std::vector<Case> go_cases() {
  const char* dir = std::getenv("GTANALYZE_SOURCE_DIR");
  std::ifstream in(std::string(dir ? dir : GTANALYZE_SOURCE_DIR) + "/tests/golden/go_sort/slices_sortfunc.txt");
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    const auto bar = line.find('|');
    REQUIRE(bar != std::string::npos);
    Case c;
    std::istringstream keys(line.substr(0, bar)), order(line.substr(bar + 1));
    for (int v; keys >> v;) c.keys.push_back(v);
    for (int v; order >> v;) c.go_order.push_back(v);
    REQUIRE(c.keys.size() == c.go_order.size());
    cases.push_back(std::move(c));
  }
  return cases;
}

// The input positions in the order `sort` leaves (key, position) pairs compared by key alone.
template <class Sort>
std::vector<int> order_of(const std::vector<int>& keys, Sort sort) {
  std::vector<std::pair<int, int>> items;
  for (std::size_t i = 0; i < keys.size(); i++) items.emplace_back(keys[i], static_cast<int>(i));
  sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> out;
  for (const auto& item : items) out.push_back(item.second);
  return out;
}

}  // namespace

TEST_CASE("go_sort leaves ties where Go's slices.SortFunc does") {
  const std::vector<Case> cases = go_cases();
  REQUIRE(cases.size() >= 200);
  std::size_t stable_differs = 0;
  for (std::size_t i = 0; i < cases.size(); i++) {
    const Case& c = cases[i];
    INFO("case " << i + 1 << " of " << c.keys.size() << " keys");
    CHECK(order_of(c.keys, [](auto first, auto last, auto less) { gtanalyze::base::go_sort(first, last, less); }) ==
          c.go_order);
    const auto stable = order_of(c.keys, [](auto first, auto last, auto less) { std::stable_sort(first, last, less); });
    if (stable != c.go_order) stable_differs++;
  }
  // The cases are worth having only if a stable sort gets many of them wrong.
  CHECK(stable_differs >= cases.size() / 2);
}

// The trace reader skips its sort of the frontier while it knows the frontier is still sorted: that
// is right only if Go's sort moves nothing in a slice already in order, ties included (pdqsort's
// insertion sort below 12 elements; above, an increasing hint and partialInsertionSort).
TEST_CASE("go_sort moves nothing in a slice already in order, ties included") {
  std::srand(7);
  for (int round = 0; round < 2000; round++) {
    const std::size_t n = 1 + static_cast<std::size_t>(std::rand() % 300);
    std::vector<int> keys(n);
    int key = 0;
    for (int& k : keys) k = key += (std::rand() % 3 == 0 ? 1 : 0);  // runs of equal keys
    std::vector<int> identity(n);
    for (std::size_t i = 0; i < n; i++) identity[i] = static_cast<int>(i);
    INFO("round " << round << ", " << n << " keys");
    CHECK(order_of(keys, [](auto first, auto last, auto less) { gtanalyze::base::go_sort(first, last, less); }) ==
          identity);
  }
}
