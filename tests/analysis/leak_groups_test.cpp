// The leak corpus program (tools/corpus/leaky) yields exactly its designed leak groups, with the
// designed creation and block lines, whichever Go toolchain made the trace; the fixed program
// yields none of them.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <string>
#include <tuple>

#include "support/analyse.hpp"

using namespace gtanalyze;

namespace {

Summary analyse(const std::string& relative) { return test::analyse(relative); }

// The frame of `function` in a stack, as "function:line" (the site within the program's code).
std::string site_in(const Summary& s, std::uint32_t stack, const std::string& function) {
  for (const FrameInfo& f : s.stacks.at(stack))
    if (f.function == function) return f.function + ":" + std::to_string(f.line);
  return "(" + function + " not in the stack)";
}

// The design, from the comment at the top of tools/corpus/leaky/main.go.
struct Design {
  std::uint64_t count;
  std::string creator, create_line, blocker, block_line;
};
const std::map<std::string, Design> kDesign = {
    {"chan send", {3, "main.startSendLeaks", "86", "main.blockOnSend", "91"}},
    {"chan receive", {4, "main.startRecvLeaks", "96", "main.blockOnRecv", "101"}},
    {"select", {2, "main.startSelectLeaks", "106", "main.blockOnSelect", "111"}},
    {"sync", {2, "main.startMutexLeaks", "119", "main.blockOnMutex", "124"}},
    {"sync.(*Cond).Wait", {2, "main.startCondLeaks", "130", "main.blockOnCond", "137"}},
    {"forever", {1, "main.startForeverLeak", "143", "main.blockForever", "147"}},
};

}  // namespace

TEST_CASE("leaky yields exactly its designed leak groups on every Go version") {
  for (const char* version : {"go1.19", "go1.21", "go1.22", "go1.23", "go1.24", "go1.25", "go1.26"}) {
    INFO(version);
    const Summary s = analyse(std::string("corpus/") + version + "/leaky.trace");
    REQUIRE(s.leak_groups.size() == kDesign.size());
    for (const LeakGroup& g : s.leak_groups) {
      INFO("reason " << g.reason);
      auto design = kDesign.find(g.reason);
      REQUIRE(design != kDesign.end());
      const Design& d = design->second;
      CHECK(g.count == d.count);
      CHECK(g.name == d.blocker);
      CHECK(s.stacks.at(g.create_stack).front().function == d.creator);
      CHECK(site_in(s, g.create_stack, d.creator) == d.creator + ":" + d.create_line);
      CHECK(site_in(s, g.block_stack, d.blocker) == d.blocker + ":" + d.block_line);
    }
  }
}

TEST_CASE("leakfixed yields no leak candidates of its own") {
  for (const char* version : {"go1.19", "go1.21", "go1.22", "go1.23", "go1.24", "go1.25", "go1.26"}) {
    INFO(version);
    const Summary s = analyse(std::string("corpus/") + version + "/leakfixed.trace");
    for (const LeakCandidate& c : s.leak_candidates) CHECK(c.name.rfind("main.", 0) != 0);
  }
}
