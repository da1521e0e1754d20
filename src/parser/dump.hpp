// The canonical text of an ordered event: exactly what Go's trace.Event.String() prints (and so
// `go tool trace -d=parsed`, one event per Println), which makes Go's own dumps our goldens.
#pragma once

#include <string>
#include <string_view>

#include "gtanalyze/event.hpp"

namespace gtanalyze::parser {

// Appends the event's text and a final newline (as fmt.Println(ev.String())).
void append_event(std::string& out, const Event& ev);

inline std::string format_event(const Event& ev) {
  std::string s;
  append_event(s, ev);
  return s;
}

// Appends s quoted as Go's strconv.Quote (the %q verb).
void append_go_quoted(std::string& out, std::string_view s);

// Go's time.Unix(sec, nsec).Format(time.RFC3339Nano) in the local time zone (TZ).
std::string format_rfc3339_nano(std::int64_t sec, std::int64_t nsec);

}  // namespace gtanalyze::parser
