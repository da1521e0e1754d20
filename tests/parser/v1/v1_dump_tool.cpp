// v1-dump FILE [--old]: prints a trace as Go's `go tool trace -d=parsed` (converted events), or
// with --old its old events as Go 1.19's `go tool trace -d` — to refresh and debug the goldens.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "gtanalyze/reader.hpp"
#include "parser/dump.hpp"
#include "parser/v1/v1_reader.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: v1-dump FILE [--old]\n");
    return 2;
  }
  const bool old = argc > 2 && std::string(argv[2]) == "--old";
  if (old) {
    std::ifstream in(argv[1], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> warnings;
    auto out = gtanalyze::parser::dump_v1_old_events(std::move(bytes), &warnings);
    for (const auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (!out) {
      std::fprintf(stderr, "%s\n", out.error().describe().c_str());
      return 1;
    }
    std::fwrite(out->data(), 1, out->size(), stdout);
    return 0;
  }
  auto source = gtanalyze::ByteSource::open(argv[1]);
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().describe().c_str());
    return 1;
  }
  auto reader = gtanalyze::TraceReader::open(**source);
  if (!reader) {
    std::fprintf(stderr, "%s\n", reader.error().describe().c_str());
    return 1;
  }
  gtanalyze::Event ev;
  std::string buf;
  for (;;) {
    auto r = (*reader)->next(ev);
    if (!r) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      std::fprintf(stderr, "%s\n", r.error().describe().c_str());
      return 1;
    }
    if (!*r) break;
    gtanalyze::parser::append_event(buf, ev);
    if (buf.size() > (1u << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  for (const auto& w : (*reader)->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}
