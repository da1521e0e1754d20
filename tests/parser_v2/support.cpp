// Helpers shared by the parser_v2 tests.
#include "parser_v2/support.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <algorithm>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "parser/dump.hpp"

namespace gtanalyze::test {

std::string source_dir() {
  const char* env = std::getenv("GTANALYZE_SOURCE_DIR");
  return env != nullptr ? env : GTANALYZE_SOURCE_DIR;
}

std::vector<std::string> list_files(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string p = entry.path().string();
    if (p.size() >= suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_all(const std::string& path) {
  auto src = ByteSource::open(path);
  if (!src) return {};
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = (*src)->read(buf, sizeof buf);
    if (!n || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

DecodeResult decode(const std::string& bytes, bool with_dump) {
  // Sync events print wall-clock times in the local zone: the goldens were made in UTC.
  setenv("TZ", "UTC", 1);
  tzset();
  DecodeResult res;
  auto src = ByteSource::from_memory(bytes, "test");
  auto reader = TraceReader::open(*src);
  if (!reader) {
    res.ok = false;
    res.error = reader.error();
    return res;
  }
  Event ev;
  for (;;) {
    auto r = (*reader)->next(ev);
    if (!r) {
      res.ok = false;
      res.error = r.error();
      break;
    }
    if (!*r) break;
    res.events++;
    if (with_dump) parser::append_event(res.dump, ev);
  }
  res.warnings = (*reader)->warnings();
  return res;
}

}  // namespace gtanalyze::test
