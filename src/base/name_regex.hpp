// A regular expression over names (goroutines' start functions: --leak-ignore, --group), in Go's
// regexp syntax. RE2 is the engine Go's regexp package follows, so a pattern means what it would
// in regexp.MatchString ((?i), \pL, no backreferences), and a match takes time linear in the name.
// (std::regex's matcher recursed once per character: a 30 KB start function name, which a
// Go <= 1.21 trace may hold, overflowed the stack; a pattern like (a|aa)*x never finished.)
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <re2/re2.h>

#include "base/utf8.hpp"

namespace gtanalyze::base {

class NameRegex {
 public:
  explicit NameRegex(std::string_view pattern) : re_(std::make_shared<const re2::RE2>(pattern, options())) {}
  // The same, throwing std::invalid_argument("invalid regex 'P': why") for a pattern RE2 refuses.
  static NameRegex checked(std::string_view pattern) {
    NameRegex re(pattern);
    if (!re.ok()) throw std::invalid_argument("invalid regex '" + re.pattern() + "': " + re.error());
    return re;
  }

  // False for a pattern RE2 or Go refuses; error() says why.
  [[nodiscard]] bool ok() const { return re_->ok() && !any_byte_escape(); }
  [[nodiscard]] std::string error() const { return re_->ok() ? "invalid escape sequence: \\C" : re_->error(); }
  [[nodiscard]] const std::string& pattern() const { return re_->pattern(); }
  // Whether the pattern matches anywhere in `name` (Go's MatchString). Go reads a byte that is not
  // UTF-8 as U+FFFD (which `.` matches); RE2 would match nothing there.
  [[nodiscard]] bool search(std::string_view name) const {
    std::string storage;
    return re2::RE2::PartialMatch(as_valid_utf8(name, storage), *re_);
  }

 private:
  static re2::RE2::Options options() {
    re2::RE2::Options o;
    o.set_log_errors(false);           // error() reports it, once, where the pattern came from
    o.set_max_mem(int64_t{64} << 20);  // Go has no such limit: \pL{1000} passes there, not in 8 MB
    return o;
  }
  // \C (any byte) is RE2's alone; Go refuses it.
  [[nodiscard]] bool any_byte_escape() const {
    const std::string& p = re_->pattern();
    for (std::size_t i = 0; i + 1 < p.size(); i++) {
      if (p[i] != '\\') continue;
      if (p[i + 1] == 'C') return true;
      i++;  // the escaped character
    }
    return false;
  }
  std::shared_ptr<const re2::RE2> re_;  // RE2 is neither copied nor moved
};

}  // namespace gtanalyze::base
