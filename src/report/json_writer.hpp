// Writes JSON straight into text, with no DOM: building one first cost more time and memory than
// the rest of the analysis on big traces. Two layouts: exactly the text nlohmann's dump(2) gives
// (the --json export), or compact, one document per line (the NDJSON tables of `export`).
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.hpp"

namespace gtanalyze::report {

// Printable ASCII other than the quote and the backslash: a string of these is written as it is.
constexpr bool plain(char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

// A key spelled in this file, checked when compiled to need no escaping: writing it is a copy.
class Key {
 public:
  template <std::size_t N>
  consteval Key(const char (&s)[N]) : text_(s, N - 1) {  // implicit: callers pass the literal
    if (!std::all_of(text_.begin(), text_.end(), plain)) throw "a key that needs escaping";
  }
  [[nodiscard]] std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// Writes JSON into a string. Pretty: exactly nlohmann's dump(2) text for the same document
// (2-space indent, "key": value, empty containers as {} and []), the keys in the order the
// callers give them (sorted, as nlohmann's std::map objects would order them). Compact: no
// spaces or new lines at all, as dump(-1).
class JsonWriter {
 public:
  enum class Layout : std::uint8_t { Pretty, Compact };
  // With a file, the text is written out in pieces (flush()); without, it all stays in `out`.
  JsonWriter(std::string& out, std::FILE* file, std::size_t piece_bytes, Layout layout = Layout::Pretty)
      : out_(out), file_(file), piece_bytes_(piece_bytes), compact_(layout == Layout::Compact) {}

  // Hands the text so far to the file once it is big enough to be worth a write.
  void flush(bool force = false) {
    if (file_ == nullptr || (!force && used_ < piece_bytes_)) return;
    if (std::fwrite(out_.data(), 1, used_, file_) != used_ && !failed_) {
      failed_ = true;
      error_ = errno;
    }
    used_ = 0;
  }
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] int error() const { return error_; }  // errno of the failed write
  // Without a file: trims `out` to the text, which it holds whole.
  void finish() { out_.resize(used_); }
  // Without a file: the text so far, and forgetting it (a table's rows are handed on by the caller).
  [[nodiscard]] std::string_view written() const { return {out_.data(), used_}; }
  void clear() { used_ = 0; }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(Key k) {
    const std::string_view text = k.text();
    char* p = member(text.size() + 4 - compact_);  // all in one piece: keys are most of the pieces
    *p = '"';
    std::copy(text.begin(), text.end(), p + 1);
    std::copy_n("\": ", 3 - compact_, p + 1 + text.size());
    after_key_ = true;
  }
  // A key from the data (a map's), escaped as needed.
  void data_key(std::string_view k) {
    member();
    string(k);
    append(compact_ ? ":" : ": ");
    after_key_ = true;
  }
  void value(std::int64_t v) { number(v); }
  void value(std::uint64_t v) { number(v); }
  void value(bool b) {
    before_value();
    append(b ? "true" : "false");
  }
  void value(std::string_view s) {
    before_value();
    string(s);
  }
  void null() {
    before_value();
    append("null");
  }
  void text(std::string_view s) { append(s); }  // as it is: no separators, no escaping
  // Members rendered before (`"a":1,"b":2`, compact), as the first of the open object's members.
  void members(std::string_view rendered) {
    append(rendered);
    has_members_.back() = !rendered.empty();
  }
  template <class T>
  void field(Key k, const T& v) {
    key(k);
    value(v);
  }

 private:
  // Room for n more bytes at the end of the text. `out_` is grown ahead of the text (used_
  // bytes) and trimmed at the end: a text of many short pieces costs a comparison a piece
  // instead of a string append each.
  char* extend(std::size_t n) {
    if (out_.size() - used_ < n) out_.resize(std::max(2 * out_.size(), used_ + n + 4096));
    char* p = out_.data() + used_;
    used_ += n;
    return p;
  }
  void append(std::string_view s) { std::copy(s.begin(), s.end(), extend(s.size())); }
  template <class T>
  void number(T v) {
    before_value();
    constexpr std::size_t kMaxDigits = 20;  // and a sign
    char* p = extend(kMaxDigits + 1);
    used_ = static_cast<std::size_t>(std::to_chars(p, p + kMaxDigits + 1, v).ptr - out_.data());
  }
  void string(std::string_view s) {
    // Anything but plain text is escaped by nlohmann itself, so the text stays exactly what it
    // writes; invalid UTF-8 is replaced first, byte by byte, as Go's encoding/json does.
    if (std::all_of(s.begin(), s.end(), plain)) {
      quoted(s);
    } else {
      std::string storage;
      append(nlohmann::json(std::string(as_valid_utf8(s, storage))).dump());
    }
  }
  void quoted(std::string_view plain_text) {
    char* p = extend(plain_text.size() + 2);
    *p = '"';
    std::copy(plain_text.begin(), plain_text.end(), p + 1);
    p[plain_text.size() + 1] = '"';
  }
  void open(char c) {
    before_value();
    *extend(1) = c;
    has_members_.push_back(false);
  }
  void close(char c) {
    const bool had = has_members_.back();
    has_members_.pop_back();
    if (had) newline();
    *extend(1) = c;
  }
  // Starts a member of the open container: a comma unless it is the first, a new line and the
  // indent; then room for `more` bytes.
  char* member(std::size_t more = 0) {
    const bool comma = has_members_.back();
    has_members_.back() = true;
    if (compact_) {
      char* p = extend(comma + more);
      if (comma) *p++ = ',';
      return p;
    }
    const std::size_t indent = 2 * has_members_.size();
    char* p = extend(comma + 1 + indent + more);
    if (comma) *p++ = ',';
    *p++ = '\n';
    return std::fill_n(p, indent, ' ');
  }
  void newline() {
    if (compact_) return;
    const std::size_t indent = 2 * has_members_.size();
    char* p = extend(1 + indent);
    *p = '\n';
    std::fill_n(p + 1, indent, ' ');
  }
  void before_value() {
    if (after_key_) {
      after_key_ = false;
    } else if (!has_members_.empty()) {
      member();
    }
  }

  std::string& out_;
  std::size_t used_ = 0;  // bytes of `out_` that are text; the rest is room to grow
  std::FILE* file_;
  std::size_t piece_bytes_;
  bool failed_ = false;
  int error_ = 0;
  bool compact_;
  std::vector<char> has_members_;  // per open container: written a member yet (char: vector<bool>'s bits cost)
  bool after_key_ = false;
};

}  // namespace gtanalyze::report
