// Gzip compression of output, through Boost.Iostreams (as the input side decompresses).
#pragma once

#include <cstdio>
#include <string_view>

namespace gtanalyze::io {

// Writes `bytes` gzip-compressed to `out`, which the caller owns and closes. The gzip header
// holds no time or name, so the same bytes always give the same file. False if a write failed.
bool write_gzip(std::FILE* out, std::string_view bytes);

}  // namespace gtanalyze::io
