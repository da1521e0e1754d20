// pprof_canon: reads a pprof profile (profile.proto, uncompressed, on stdin) with libprotozero and
// prints the canonical text of tests/golden/pprof: one line per sample,
// `COUNT DELAY: FRAME | FRAME ...`, each frame `function file:line`, innermost first, the lines
// sorted. tools/golden/pprof-raw-canon.py makes the same text from `go tool pprof -raw` of Go's
// profiles. Knows nothing of gtanalyze's writer: it decodes from profile.proto's field numbers.
//
// It also checks what every trace profile must hold: the sample types contentions/count and
// delay/nanoseconds, two values per sample, string 0 empty, and every id defined once and before
// it is printed. Exit 0 with the text on stdout; exit 1 with one line on stderr at the first
// problem, a malformed file included.
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using protozero::pbf_reader;

// Field numbers of profile.proto.
namespace field {
constexpr std::uint32_t kSampleType = 1, kSample = 2, kLocation = 4, kFunction = 5, kStringTable = 6;
constexpr std::uint32_t kValueTypeType = 1, kValueTypeUnit = 2;
constexpr std::uint32_t kSampleLocationId = 1, kSampleValue = 2;
constexpr std::uint32_t kLocationId = 1, kLocationLine = 4;
constexpr std::uint32_t kLineFunctionId = 1, kLineLine = 2;
constexpr std::uint32_t kFunctionId = 1, kFunctionName = 2, kFunctionFilename = 4;
}  // namespace field

struct Function {
  std::int64_t name = 0, file = 0;
};
struct Location {
  std::uint64_t function = 0;
  std::int64_t line = 0;
};
struct Sample {
  std::vector<std::uint64_t> locations;
  std::vector<std::int64_t> values;
};
struct Profile {
  std::vector<std::string> strings;
  std::vector<std::pair<std::int64_t, std::int64_t>> sample_types;
  std::map<std::uint64_t, Function> functions;
  std::map<std::uint64_t, Location> locations;
  std::vector<Sample> samples;
};

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

template <class Map, class Value>
void define(Map& map, std::uint64_t id, Value value, const char* what) {
  if (id == 0 || !map.emplace(id, value).second)
    fail(std::string(what) + " id " + std::to_string(id) + " defined twice or 0");
}

void read_location(Profile& p, pbf_reader message) {
  std::uint64_t id = 0;
  Location loc;
  int lines = 0;
  while (message.next()) {
    if (message.tag() == field::kLocationId) {
      id = message.get_uint64();
    } else if (message.tag() == field::kLocationLine) {
      lines++;
      pbf_reader line = message.get_message();
      while (line.next()) {
        if (line.tag() == field::kLineFunctionId)
          loc.function = line.get_uint64();
        else if (line.tag() == field::kLineLine)
          loc.line = line.get_int64();
        else
          line.skip();
      }
    } else {
      message.skip();
    }
  }
  if (lines != 1) fail("location " + std::to_string(id) + " has " + std::to_string(lines) + " lines, not 1");
  define(p.locations, id, loc, "location");
}

void read_function(Profile& p, pbf_reader message) {
  std::uint64_t id = 0;
  Function fn;
  while (message.next()) {
    if (message.tag() == field::kFunctionId)
      id = message.get_uint64();
    else if (message.tag() == field::kFunctionName)
      fn.name = message.get_int64();
    else if (message.tag() == field::kFunctionFilename)
      fn.file = message.get_int64();
    else
      message.skip();
  }
  define(p.functions, id, fn, "function");
}

Sample read_sample(pbf_reader message) {
  Sample s;
  while (message.next()) {
    if (message.tag() == field::kSampleLocationId) {
      const auto ids = message.get_packed_uint64();
      s.locations.insert(s.locations.end(), ids.begin(), ids.end());
    } else if (message.tag() == field::kSampleValue) {
      const auto values = message.get_packed_int64();
      s.values.insert(s.values.end(), values.begin(), values.end());
    } else {
      message.skip();
    }
  }
  return s;
}

Profile read_profile(const std::string& data) {
  Profile p;
  pbf_reader profile(data);
  while (profile.next()) {
    switch (profile.tag()) {
      case field::kSampleType: {
        pbf_reader vt = profile.get_message();
        std::pair<std::int64_t, std::int64_t> type{0, 0};
        while (vt.next()) {
          if (vt.tag() == field::kValueTypeType)
            type.first = vt.get_int64();
          else if (vt.tag() == field::kValueTypeUnit)
            type.second = vt.get_int64();
          else
            vt.skip();
        }
        p.sample_types.push_back(type);
        break;
      }
      case field::kSample: p.samples.push_back(read_sample(profile.get_message())); break;
      case field::kLocation: read_location(p, profile.get_message()); break;
      case field::kFunction: read_function(p, profile.get_message()); break;
      case field::kStringTable: p.strings.push_back(profile.get_string()); break;
      default: profile.skip();
    }
  }
  return p;
}

const std::string& string_at(const Profile& p, std::int64_t i) {
  if (i < 0 || static_cast<std::size_t>(i) >= p.strings.size())
    fail("string index " + std::to_string(i) + " out of range");
  return p.strings[static_cast<std::size_t>(i)];
}

std::string frame_text(const Profile& p, std::uint64_t location) {
  const auto loc = p.locations.find(location);
  if (loc == p.locations.end()) fail("sample names undefined location " + std::to_string(location));
  const auto fn = p.functions.find(loc->second.function);
  if (fn == p.functions.end()) fail("location names undefined function " + std::to_string(loc->second.function));
  return string_at(p, fn->second.name) + " " + string_at(p, fn->second.file) + ":" + std::to_string(loc->second.line);
}

std::vector<std::string> canonical_lines(const Profile& p) {
  if (p.strings.empty() || !p.strings[0].empty()) fail("string table does not begin with \"\"");
  std::vector<std::string> types;
  for (const auto& [type, unit] : p.sample_types) types.push_back(string_at(p, type) + "/" + string_at(p, unit));
  if (types != std::vector<std::string>{"contentions/count", "delay/nanoseconds"})
    fail("sample types are not contentions/count, delay/nanoseconds");
  std::vector<std::string> lines;
  for (const Sample& s : p.samples) {
    if (s.values.size() != 2) fail("a sample has " + std::to_string(s.values.size()) + " values, not 2");
    std::string line = std::to_string(s.values[0]) + " " + std::to_string(s.values[1]) + ": ";
    for (std::size_t i = 0; i < s.locations.size(); i++) {
      if (i > 0) line += " | ";
      line += frame_text(p, s.locations[i]);
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace

int main() {
  const std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  try {
    for (const std::string& line : canonical_lines(read_profile(data))) std::cout << line << '\n';
  } catch (const std::exception& e) {  // protozero's exceptions included: a malformed file
    std::fprintf(stderr, "pprof_canon: %s\n", e.what());
    return 1;
  }
  return 0;
}
