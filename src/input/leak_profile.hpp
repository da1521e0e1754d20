// Reads Go 1.26's goroutineleak profile (runtime/pprof.Lookup("goroutineleak").WriteTo(w, 0),
// /debug/pprof/goroutineleak): a profile.proto, gzipped (ByteSource decompresses it).
#pragma once

#include <string_view>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/leak_proof.hpp"

namespace gtanalyze::input {

// Whether decompressed bytes start like a profile.proto: with the tag of one of its fields.
bool starts_like_profile(std::string_view head);

// Every sample with its stack resolved to functions and lines. Errors (offsets in the
// decompressed profile) for a profile of another type than goroutineleak, a truncated or
// malformed message, and ids or string indices that point nowhere.
Result<LeakProfile> read_leak_profile(ByteSource& source);

}  // namespace gtanalyze::input
