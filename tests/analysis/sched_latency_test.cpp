// Scheduling latencies when a goroutine id is taken again (cgo callbacks do that: each call's
// goroutine takes the id of the one before it on that thread). Go's summary keeps only the later
// goroutine; every runnable->running transition still counts overall.
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "parser/text_trace.hpp"
#include "support/analyse.hpp"

namespace gtanalyze {
namespace {

// G5 is created as main.A, runs and ends; then G5 is created again as main.B, runs and ends. G1
// (main.main) waits while each runs. 64 ns a tick: the longest wait is G1's second, 22 ticks.
constexpr const char* kIdTakenAgain = R"(Trace Go1.22
EventBatch gen=1 m=0 time=0 size=47
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
GoCreate dt=1 new_g=5 new_stack=1 stack=3
GoStop dt=1 reason_string=1 stack=3
GoStart dt=10 g=5 g_seq=1
GoDestroy dt=1
GoStart dt=1 g=1 g_seq=1
GoCreate dt=1 new_g=5 new_stack=2 stack=3
GoStop dt=1 reason_string=1 stack=3
GoStart dt=20 g=5 g_seq=1
GoDestroy dt=1
GoStart dt=1 g=1 g_seq=2
EventBatch gen=1 m=18446744073709551615 time=0 size=5
Frequency freq=15625000
EventBatch gen=1 m=18446744073709551615 time=0 size=24
Stacks
Stack id=1 nframes=1
	pc=100 func=2 file=3 line=10
Stack id=2 nframes=1
	pc=200 func=4 file=3 line=20
Stack id=3 nframes=1
	pc=300 func=5 file=3 line=30
EventBatch gen=1 m=18446744073709551615 time=0 size=52
Strings
String id=1
	data="whatever"
String id=2
	data="main.A"
String id=3
	data="main.go"
String id=4
	data="main.B"
String id=5
	data="main.main"
)";

TEST_CASE("a goroutine id taken again: every latency counts overall, each in its own goroutine's group") {
  auto bytes = parser::text_trace_to_binary(kIdTakenAgain);
  REQUIRE(bytes.has_value());
  const auto path = std::filesystem::temp_directory_path() / "gtanalyze-id-taken-again.trace";
  std::ofstream(path, std::ios::binary) << *bytes;
  const Summary s = test::analyse(path);
  std::filesystem::remove(path);
  // Four transitions: G5 as main.A (its sample went missing when main.B took the id), G5 as
  // main.B, G1 twice. Go's own reading (tools/reference/gtaref) counts 4 too.
  CHECK(s.sched_latency.count == 4);
  CHECK(s.sched_latency.max == 22 * 64);
  REQUIRE(s.groups.size() == 2);  // main.A is gone from the summary, as in Go's
  for (const GroupSummary& g : s.groups) {
    INFO(g.name);
    // main.B: its own sample alone (gtaref keeps latencies per id and counts main.A's here too).
    if (g.name == "main.B") CHECK(g.sched_latency.count == 1);
    if (g.name == "main.main") CHECK(g.sched_latency.count == 2);
  }
}

}  // namespace
}  // namespace gtanalyze
