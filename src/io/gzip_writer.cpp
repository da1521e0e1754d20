// Gzip output through Boost.Iostreams (see gzip_writer.hpp).
#include "io/gzip_writer.hpp"

#include <boost/iostreams/categories.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <exception>

namespace gtanalyze::io {
namespace {

namespace bio = boost::iostreams;

// A Boost.Iostreams sink onto a stdio stream; a failed write shows in ferror().
struct FileSink {
  using char_type = char;
  using category = bio::sink_tag;
  std::FILE* out;
  std::streamsize write(const char* s, std::streamsize n) {
    std::fwrite(s, 1, static_cast<std::size_t>(n), out);
    return n;
  }
};

}  // namespace

bool write_gzip(std::FILE* out, std::string_view bytes) {
  try {
    bio::filtering_ostream stream;
    stream.push(bio::gzip_compressor(bio::gzip_params(bio::gzip::default_compression)));
    stream.push(FileSink{out});
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!stream.good()) return false;
    stream.reset();                  // flushes the compressor and writes the gzip trailer
  } catch (const std::exception&) {  // from zlib: out of memory
    return false;
  }
  return std::ferror(out) == 0;
}

}  // namespace gtanalyze::io
