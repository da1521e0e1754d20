// Errors as values: every decode-layer function returns Result<T>, and only the CLI turns an
// Error into a message line and an exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gtanalyze {

enum class ErrorCode : std::uint8_t {
  Io,                  // the file could not be opened or read
  NotATrace,           // the first bytes are not a Go trace header
  UnsupportedVersion,  // a Go trace header of a version we do not know
  Truncated,           // the input ends inside a structure
  Corrupt,             // a value is impossible (bad length, unknown event type, broken order…)
  Limit,               // a count or size exceeds what the input could possibly hold
  Misuse,              // the program used runtime/trace out of order (a region ended out of turn)
};

// Where and why decoding stopped. `offset` is the byte offset in the (decompressed) trace stream;
// `generation` is the Go 1.22+ generation number when one is known (0 when not applicable).
struct Error {
  ErrorCode code = ErrorCode::Corrupt;
  std::uint64_t offset = 0;
  std::string message;
  std::uint64_t generation = 0;

  // One line: "offset 123: message" (plus the generation when known).
  [[nodiscard]] std::string describe() const;
};

// A value or an Error, with the shape of C++23 std::expected so a later switch is a typedef.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error. Success holds no Error at all: the decoder makes and drops
// one per event check, and building an empty Error (its string) showed in the profile.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

// Builds an Error; the message should say what was expected and what was found.
inline Error make_error(ErrorCode code, std::uint64_t offset, std::string message) {
  return Error{code, offset, std::move(message), 0};
}

}  // namespace gtanalyze

// Propagates an error from an expression yielding a Result: `GTA_TRY(status_expr);`
#define GTA_TRY(expr)                                     \
  do {                                                    \
    auto&& gta_try_result_ = (expr);                      \
    if (!gta_try_result_) return gta_try_result_.error(); \
  } while (false)
