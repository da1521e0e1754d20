// A Boost.Iostreams sink onto a stdio stream, under the compressors of our output; a failed write
// shows in ferror().
#pragma once

#include <boost/iostreams/categories.hpp>
#include <cstdio>
#include <ios>

namespace gtanalyze::io {

struct FileSink {
  using char_type = char;
  using category = boost::iostreams::sink_tag;
  std::FILE* out;
  std::streamsize write(const char* s, std::streamsize n) {
    std::fwrite(s, 1, static_cast<std::size_t>(n), out);
    return n;
  }
};

}  // namespace gtanalyze::io
