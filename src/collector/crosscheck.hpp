// `crosscheck TRACE CAPTURE`: the same run seen by the runtime's tracer and by uprobes must tell
// the same story. Both sides are read as Events (the capture through CaptureReader), folded into
// per-goroutine stories, and compared item by item over the trace's time window.
//
// The two sides time the same change a few microseconds apart (a uprobe fires on entry to
// casgstatus, the tracer writes its event a little later, and a thread may be descheduled in
// between), so a change close to the window's edges may fall inside on one side and outside on
// the other. The comparison therefore aligns the stories: capture changes within the clock
// tolerance of an edge may be left out of the window or kept in it, whichever matches; every
// change well inside the window must match.
#pragma once

#include <string>
#include <vector>

#include "collector/clock_fit.hpp"
#include "collector/story.hpp"
#include "gtanalyze/crosscheck_report.hpp"
#include "gtanalyze/event.hpp"
#include "gtanalyze/reader.hpp"

namespace gtanalyze::collector {

class CaptureReader;

// What the capture's reader knows besides its events.
struct CaptureFacts {
  std::string gap{};              // why the capture is incomplete, if it is
  std::vector<GoId> gc_leaked{};  // the goroutines it saw the GC mark leaked (Go 1.26, goroutineleakprofile)
  // When, on the capture's clock, it saw goroutines created that it never saw again (before Go
  // 1.24 a goroutine's id is set after its creation: the capture cannot name them).
  std::vector<Time> unnamed_creations{};
  // It attached to a running process without listing its goroutines (a stripped binary has no
  // runtime.allgs): it sees a goroutine that existed then only at its first change.
  bool blind_before_attach = false;
};

// Capture events are mapped onto the trace clock through the changes both sides record once per
// goroutine. When the capture saw the GC mark goroutines leaked, an item checks that each one the
// trace knows is one of its leak candidates.
CrosscheckReport crosscheck(const TraceView& trace, const std::vector<Event>& capture_events, Version version,
                            const CaptureFacts& facts = {});
// The same on a trace given as events (the tests' synthetic streams).
CrosscheckReport crosscheck(const std::vector<Event>& trace_events, const std::vector<Event>& capture_events,
                            Version version, const CaptureFacts& facts = {});

// Folds the trace as it is read, then compares the capture (whose events stay valid while its
// reader lives), whose lost records it checks.
Result<CrosscheckReport> crosscheck_readers(TraceReader& trace, CaptureReader& capture);

}  // namespace gtanalyze::collector
