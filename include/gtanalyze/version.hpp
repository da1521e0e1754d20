// The trace format versions Go has written, named by the header line "go 1.N trace".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gtanalyze {

// The number is the N of the header "go 1.N trace". Go 1.6 wrote the 1.5 format, Go 1.12–1.18
// the 1.11 format, Go 1.20 the 1.19 format, and Go 1.24 the 1.23 format.
enum class Version : std::uint8_t {
  Go1_5 = 5,
  Go1_7 = 7,
  Go1_8 = 8,
  Go1_9 = 9,
  Go1_10 = 10,
  Go1_11 = 11,
  Go1_19 = 19,
  Go1_21 = 21,
  Go1_22 = 22,
  Go1_23 = 23,
  Go1_25 = 25,
  Go1_26 = 26,
};

// The version for header number N, if Go ever wrote it.
std::optional<Version> version_from_minor(unsigned minor);

// "1.N", as in the header.
std::string version_name(Version v);

// Go 1.22 and later: the trace is a sequence of self-contained generations.
constexpr bool is_generational(Version v) { return v >= Version::Go1_22; }

}  // namespace gtanalyze
