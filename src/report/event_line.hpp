// `gtanalyze dump`'s own format: one line per event with its linked event, for reading and grep.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "analysis/links.hpp"
#include "gtanalyze/event.hpp"

namespace gtanalyze::report {

// Appends "INDEX TIME TYPE G= P= M= DETAILS  TOP-FRAME  linked TYPE@INDEX\n"; `origin` is the
// first event's time (times print relative to it). With `stacks`, the full stack follows, one
// frame per line.
void append_event_line(std::string& out, std::uint64_t index, Time origin, const Event& event,
                       const std::optional<analysis::Link>& link, bool stacks);

}  // namespace gtanalyze::report
