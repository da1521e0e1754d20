// Messages on stderr. fmt::print throws when the write fails, and a closed or full stderr (2>&-
// under some daemons, 2>/dev/full) then aborted the run (exit 134) where its output and exit code
// were still good: a message that cannot be shown is dropped instead.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>

namespace gtanalyze::io {

template <class... Args>
void print_stderr(fmt::format_string<Args...> format, Args&&... args) {
  const std::string text = fmt::format(format, std::forward<Args>(args)...);
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace gtanalyze::io
