// Trace ids (see trace_digest.hpp).
#include "io/trace_digest.hpp"

#include <xxhash.h>

#include <array>
#include <memory>

#include <fmt/core.h>

namespace gtanalyze::io {

Result<TraceDigest> trace_digest(ByteSource& source) {
  const std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  if (!state || XXH3_128bits_reset(state.get()) != XXH_OK) {
    return make_error(ErrorCode::Io, source.offset(), "cannot hash the trace: out of memory");
  }
  std::array<char, 1 << 16> buffer;
  TraceDigest digest;
  for (;;) {
    auto n = source.read(buffer.data(), buffer.size());
    // A compressed trace cut short is the trace its bytes before the cut are: the analysis
    // reads it so (with a warning), and the same bytes plain get the same id.
    if (!n && n.error().code == ErrorCode::Truncated) break;
    if (!n) return n.error();
    if (*n == 0) break;
    XXH3_128bits_update(state.get(), buffer.data(), *n);
    digest.bytes += *n;
  }
  const XXH128_hash_t h = XXH3_128bits_digest(state.get());
  digest.id = fmt::format("{:016x}{:016x}", h.high64, h.low64);
  return digest;
}

}  // namespace gtanalyze::io
