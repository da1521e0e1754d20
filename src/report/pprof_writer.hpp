// pprof's profile format (profile.proto of github.com/google/pprof), gzipped, for the profiles of
// analysis/state_profile.hpp, built as Go's traceviewer.BuildProfile builds them: sample types
// contentions/count and delay/nanoseconds, period type trace/count, a location per PC and a
// function per (name, file). Unlike Go's, the same samples always give the same bytes: samples
// keep their order, and locations, functions and strings are numbered as they are first used.
#pragma once

#include <cstdio>
#include <span>
#include <string>

#include "analysis/state_profile.hpp"

namespace gtanalyze::report {

// The encoded Profile message, uncompressed.
std::string encode_pprof(std::span<const analysis::ProfileSample> samples);
// The same, gzipped as pprof files are, to `out` (which the caller owns). False if a write failed.
bool write_pprof(std::FILE* out, std::span<const analysis::ProfileSample> samples);

}  // namespace gtanalyze::report
