// The table of old event types (runtime/trace.go before Go 1.22, as Go 1.19's parser lists it).
#include "parser/v1/events.hpp"

namespace gtanalyze::parser::v1 {

namespace {

using A = std::array<std::string_view, 3>;
using S = std::array<std::string_view, 2>;

constexpr std::array<OldSpec, static_cast<std::size_t>(OldType::Count)> kSpecs = {{
    {"None", 5, false, 0, A{}, 0, S{}},
    {"Batch", 5, false, 2, A{"p", "ticks"}, 0, S{}},
    {"Frequency", 5, false, 1, A{"freq"}, 0, S{}},
    {"Stack", 5, false, 2, A{"id", "siz"}, 0, S{}},
    {"Gomaxprocs", 5, true, 1, A{"procs"}, 0, S{}},
    {"ProcStart", 5, false, 1, A{"thread"}, 0, S{}},
    {"ProcStop", 5, false, 0, A{}, 0, S{}},
    {"GCStart", 5, true, 1, A{"seq"}, 0, S{}},
    {"GCDone", 5, false, 0, A{}, 0, S{}},
    {"GCSTWStart", 5, false, 1, A{"kindid"}, 1, S{"kind"}},
    {"GCSTWDone", 5, false, 0, A{}, 0, S{}},
    {"GCSweepStart", 5, true, 0, A{}, 0, S{}},
    {"GCSweepDone", 5, false, 2, A{"swept", "reclaimed"}, 0, S{}},
    {"GoCreate", 5, true, 2, A{"g", "stack"}, 0, S{}},
    {"GoStart", 5, false, 2, A{"g", "seq"}, 0, S{}},
    {"GoEnd", 5, false, 0, A{}, 0, S{}},
    {"GoStop", 5, true, 0, A{}, 0, S{}},
    {"GoSched", 5, true, 0, A{}, 0, S{}},
    {"GoPreempt", 5, true, 0, A{}, 0, S{}},
    {"GoSleep", 5, true, 0, A{}, 0, S{}},
    {"GoBlock", 5, true, 0, A{}, 0, S{}},
    {"GoUnblock", 5, true, 2, A{"g", "seq"}, 0, S{}},
    {"GoBlockSend", 5, true, 0, A{}, 0, S{}},
    {"GoBlockRecv", 5, true, 0, A{}, 0, S{}},
    {"GoBlockSelect", 5, true, 0, A{}, 0, S{}},
    {"GoBlockSync", 5, true, 0, A{}, 0, S{}},
    {"GoBlockCond", 5, true, 0, A{}, 0, S{}},
    {"GoBlockNet", 5, true, 0, A{}, 0, S{}},
    {"GoSysCall", 5, true, 0, A{}, 0, S{}},
    {"GoSysExit", 5, false, 3, A{"g", "seq", "ts"}, 0, S{}},
    {"GoSysBlock", 5, false, 0, A{}, 0, S{}},
    {"GoWaiting", 5, false, 1, A{"g"}, 0, S{}},
    {"GoInSyscall", 5, false, 1, A{"g"}, 0, S{}},
    {"HeapAlloc", 5, false, 1, A{"mem"}, 0, S{}},
    {"HeapGoal", 5, false, 1, A{"mem"}, 0, S{}},
    {"TimerGoroutine", 5, false, 1, A{"g"}, 0, S{}},
    {"FutileWakeup", 5, false, 0, A{}, 0, S{}},
    {"String", 7, false, 0, A{}, 0, S{}},
    {"GoStartLocal", 7, false, 1, A{"g"}, 0, S{}},
    {"GoUnblockLocal", 7, true, 1, A{"g"}, 0, S{}},
    {"GoSysExitLocal", 7, false, 2, A{"g", "ts"}, 0, S{}},
    {"GoStartLabel", 8, false, 3, A{"g", "seq", "labelid"}, 1, S{"label"}},
    {"GoBlockGC", 8, true, 0, A{}, 0, S{}},
    {"GCMarkAssistStart", 9, true, 0, A{}, 0, S{}},
    {"GCMarkAssistDone", 9, false, 0, A{}, 0, S{}},
    {"UserTaskCreate", 11, true, 3, A{"taskid", "pid", "typeid"}, 1, S{"name"}},
    {"UserTaskEnd", 11, true, 1, A{"taskid"}, 0, S{}},
    {"UserRegion", 11, true, 3, A{"taskid", "mode", "typeid"}, 1, S{"name"}},
    {"UserLog", 11, true, 2, A{"id", "keyid"}, 2, S{"category", "message"}},
    {"CPUSample", 19, true, 3, A{"ts", "p", "g"}, 0, S{}},
}};

}  // namespace

const OldSpec& old_spec(OldType t) { return kSpecs[static_cast<std::size_t>(t)]; }

}  // namespace gtanalyze::parser::v1
