// Gzip output through Boost.Iostreams (see gzip_writer.hpp).
#include "io/gzip_writer.hpp"

#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <exception>

#include "io/file_sink.hpp"

namespace gtanalyze::io {
namespace bio = boost::iostreams;

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
