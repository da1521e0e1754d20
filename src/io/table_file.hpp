// A file of an export's tables, there whole or not at all: the text goes to a temporary file
// beside it (zstd-compressed when asked), which commit() renames to the file's name. A reader of
// the directory (or a later export that skips what exists) never sees half a file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "io/remove_on_signal.hpp"

namespace gtanalyze::io {

class TableFile {
 public:
  // Opens the temporary file; failed() tells whether it could be, error() why.
  TableFile(std::string path, bool zstd);
  ~TableFile();  // without a commit(), the temporary file is removed
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;

  void write(std::string_view text);
  // Finishes the compression and closes the temporary file. False (with error()) when anything
  // failed.
  bool close();
  // Renames the closed temporary file to the file's name. False (with error()) when it cannot.
  bool publish();
  // Removes the file publish() made: a set of tables (one trace's) stands or falls together.
  void withdraw();
  // close() and publish().
  bool commit() { return close() && publish(); }
  [[nodiscard]] bool failed() const { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  struct Compressor;
  std::string path_, temporary_, error_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<Compressor> zstd_;
  bool published_ = false;
  RemoveOnSignal interrupted_;  // the temporary file, until it is renamed or removed
};

}  // namespace gtanalyze::io
