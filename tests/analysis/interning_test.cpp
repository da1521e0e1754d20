// Stacks interned by their frames: equal stacks share an id wherever their frames were read
// from, and each distinct frame is kept once however many stacks hold it.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include "analysis/interning.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

StackFrame frame(std::string_view func, std::uint64_t line) { return StackFrame{0x1000 + line, func, "main.go", line}; }

}  // namespace

TEST_CASE("stacks that share frames keep each frame once, and equal stacks one id") {
  Interning in;
  // Two generations' tables: the same stacks at other places.
  const std::vector<StackFrame> a = {frame("main.leaf", 10), frame("main.mid", 20), frame("main.main", 30)};
  const std::vector<StackFrame> b = {frame("main.other", 11), frame("main.mid", 20), frame("main.main", 30)};
  const std::vector<StackFrame> a_again = a;
  const std::uint32_t ia = in.stack(Stack(a)), ib = in.stack(Stack(b));
  in.new_generation();
  CHECK(in.stack(Stack(a_again)) == ia);
  CHECK(ia != ib);
  CHECK(in.stack(Stack{}) == 0);
  // A stack read from a finished table (a Summary's) is the same stack.
  const StackInfo copied = in.stack_of(ib).copy();
  CHECK(in.stack(StackView(copied)) == ib);

  const StackTable table = in.take_stacks();
  REQUIRE(table.size() == 3);
  CHECK(table.frame_count() == 4);  // leaf, other, mid, main
  CHECK(table[ia].size() == 3);
  CHECK(table[ia].front() == FrameInfo{"main.leaf", "main.go", 10});
  CHECK(table[ib][1] == table[ia][1]);
  CHECK(&table[ib][2] == &table[ia][2]);  // one frame, not a copy
  CHECK(table[0].empty());
}

TEST_CASE("frames whose strings are read from reused memory are told apart") {
  // A JSON loader reads each frame's names into strings freed before the next: the interning must
  // not take a string's address for its identity there.
  Interning in;
  StackInfo frames{{"main.startSendLeaks", "./main.go", 86}};
  std::vector<std::uint32_t> ids;
  ids.push_back(in.stack(StackView(frames)));
  frames[0].function.replace(10, 4, "Recv");  // the same bytes' place, other bytes
  ids.push_back(in.stack(StackView(frames)));
  CHECK(ids[0] != ids[1]);
  const StackTable table = in.take_stacks();
  CHECK(table[ids[1]].front().function == "main.startRecvLeaks");
}

TEST_CASE("a stack table built from a list keeps the stacks in order; at() checks the id") {
  const StackTable t = {{}, {{"f", "f.go", 1}}, {{"g", "g.go", 2}, {"f", "f.go", 1}}};
  REQUIRE(t.size() == 3);
  CHECK(t[2].back() == FrameInfo{"f", "f.go", 1});
  CHECK(t.at(1) == StackView(StackInfo{{"f", "f.go", 1}}));
  CHECK_THROWS_AS(t.at(3), std::out_of_range);
  std::vector<std::string> reversed;
  for (auto f = t[2].rbegin(); f != t[2].rend(); ++f) reversed.push_back(f->function);
  CHECK(reversed == std::vector<std::string>{"f", "g"});
}
