// Table files written under a temporary name (see table_file.hpp).
#include "io/table_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/iostreams/filter/zstd.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>

#include "io/file_sink.hpp"

namespace gtanalyze::io {

namespace bio = boost::iostreams;

struct TableFile::Compressor {
  bio::filtering_ostream stream;
};

TableFile::TableFile(std::string path, bool zstd) : path_(std::move(path)) {
  // Hidden (".NAME.XXXXXX" beside the table), so that no reader takes one left by a killed run
  // for a table: not DuckDB's glob (*.ndjson), nor Spark or Hadoop, which read every file of a
  // directory but those whose name starts with '.' or '_'.
  const std::filesystem::path final_path(path_);
  std::string pattern = (final_path.parent_path() / ("." + final_path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    error_ = "cannot create " + pattern + ": " + std::strerror(errno);
    return;
  }
  temporary_ = pattern;
  interrupted_ = RemoveOnSignal(temporary_);
  ::fchmod(fd, 0644);  // mkstemp's 0600 would keep the tables from other readers
  file_ = ::fdopen(fd, "wb");
  if (file_ == nullptr) {
    ::close(fd);
    error_ = "cannot open " + temporary_ + ": " + std::strerror(errno);
    return;
  }
  if (zstd) {
    zstd_ = std::make_unique<Compressor>();
    // Level 1: the intervals of a big trace are gigabytes; it is a third faster than the default
    // level 3 on them, for a file 2% bigger.
    zstd_->stream.push(bio::zstd_compressor(bio::zstd_params(1)));
    zstd_->stream.push(FileSink{file_});
  }
}

TableFile::~TableFile() {
  zstd_.reset();
  if (file_ != nullptr) std::fclose(file_);
  if (!temporary_.empty()) std::remove(temporary_.c_str());
}

void TableFile::write(std::string_view text) {
  if (failed() || text.empty()) return;
  try {
    if (zstd_) {
      zstd_->stream.write(text.data(), static_cast<std::streamsize>(text.size()));
    } else {
      std::fwrite(text.data(), 1, text.size(), file_);
    }
  } catch (const std::exception& e) {  // from zstd: out of memory
    error_ = "cannot compress " + temporary_ + ": " + e.what();
  }
}

bool TableFile::close() {
  if (failed()) return false;
  try {
    if (zstd_) zstd_->stream.reset();  // flushes the compressor and ends the frame
  } catch (const std::exception& e) {
    error_ = "cannot compress " + temporary_ + ": " + e.what();
    return false;
  }
  zstd_.reset();
  const bool written = std::ferror(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!written || !closed) {
    error_ = "cannot write " + temporary_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool TableFile::publish() {
  if (failed() || file_ != nullptr || temporary_.empty()) return false;
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    error_ = "cannot rename " + temporary_ + " to " + path_ + ": " + std::strerror(errno);
    return false;
  }
  temporary_.clear();
  interrupted_.release();
  published_ = true;
  return true;
}

void TableFile::withdraw() {
  if (published_) std::remove(path_.c_str());
  published_ = false;
}

}  // namespace gtanalyze::io
