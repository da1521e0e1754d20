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
  explicit NameRegex(std::string_view pattern) : pattern_(pattern) {
    std::string error;
    std::string re2_pattern = to_re2(pattern, error);
    re_ = std::make_shared<const re2::RE2>(re2_pattern, options());
    error_ = re_->ok() ? error : re_->error();
  }
  // The same, throwing std::invalid_argument("invalid regex 'P': why") for a pattern RE2 refuses.
  static NameRegex checked(std::string_view pattern) {
    NameRegex re(pattern);
    if (!re.ok()) throw std::invalid_argument("invalid regex '" + re.pattern() + "': " + re.error());
    return re;
  }

  // False for a pattern RE2 or Go refuses; error() says why.
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& pattern() const { return pattern_; }
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
  // Go's syntax in RE2's: Go (1.22+) also takes (?<name>re), which this RE2 (2022) knows only as
  // (?P<name>re); and refuses \C (any byte), which RE2 alone has (`error` says so). Brackets and
  // \Q...\E quote what they hold: a `(?<` there is literal.
  static std::string to_re2(std::string_view go, std::string& error) {
    std::string out;
    out.reserve(go.size() + 4);
    bool in_class = false;
    for (std::size_t i = 0; i < go.size(); i++) {
      const std::string_view rest = go.substr(i);
      if (rest.starts_with("\\Q") && !in_class) {
        const std::size_t end = go.find("\\E", i + 2);
        const std::size_t stop = end == std::string_view::npos ? go.size() : end + 2;
        out += go.substr(i, stop - i);
        i = stop - 1;
      } else if (rest.starts_with('\\')) {
        if (rest.starts_with("\\C") && error.empty()) error = "invalid escape sequence: \\C";
        out += rest.substr(0, 2);
        i++;
      } else if (in_class) {
        if (rest.starts_with("[:")) {  // [:alpha:], whose `]` does not end the class
          const std::size_t end = go.find(":]", i + 2);
          if (end != std::string_view::npos) {
            out += go.substr(i, end + 2 - i);
            i = end + 1;
            continue;
          }
        }
        out += go[i];
        in_class = go[i] != ']';
      } else if (go[i] == '[') {
        // A `]` first (after a `^`) is a member, not the end.
        const std::size_t first = rest.starts_with("[^") ? 2 : 1;
        const std::size_t members = rest.size() > first && rest[first] == ']' ? first + 1 : first;
        out += rest.substr(0, members);
        i += members - 1;
        in_class = true;
      } else if (rest.starts_with("(?<") && rest.size() > 3 && rest[3] != '=' && rest[3] != '!') {
        out += "(?P<";
        i += 2;
      } else {
        out += go[i];
      }
    }
    return out;
  }

  std::string pattern_;                 // as given, in Go's syntax
  std::string error_;                   // empty when the pattern is valid
  std::shared_ptr<const re2::RE2> re_;  // RE2 is neither copied nor moved
};

}  // namespace gtanalyze::base
