// The goroutineleak profile reader (see leak_profile.hpp), on libprotozero's pbf_reader. Field
// numbers are profile.proto's; protozero asserts (not checks) wire types, so every field's wire
// type is checked here before its value is read.
#include "input/leak_profile.hpp"

#include <fmt/format.h>

#include <map>
#include <protozero/exception.hpp>
#include <protozero/pbf_reader.hpp>
#include <string>
#include <vector>

namespace gtanalyze::input {
namespace {

namespace profile_field {
constexpr protozero::pbf_tag_type kSampleType = 1, kSample = 2, kLocation = 4, kFunction = 5, kStringTable = 6;
}
namespace value_type_field {
constexpr protozero::pbf_tag_type kType = 1;
}
namespace sample_field {
constexpr protozero::pbf_tag_type kLocationId = 1, kValue = 2;
}
namespace location_field {
constexpr protozero::pbf_tag_type kId = 1, kLine = 4;
}
namespace line_field {
constexpr protozero::pbf_tag_type kFunctionId = 1, kLine = 2;
}
namespace function_field {
constexpr protozero::pbf_tag_type kId = 1, kName = 2, kFilename = 4;
}

// Bigger than any goroutine profile a process could write; a bound on what is read into memory.
constexpr std::size_t kMaxProfileBytes = 256u << 20;
// The names a profile's stacks may copy in all: a real one's come to a few MB (up to 128 frames
// per leaking site).
constexpr std::size_t kMaxExpandedBytes = 256u << 20;
// More goroutines at one stack than a process can have: a corrupt count.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 32;

// A malformed field, thrown while parsing and turned into an Error at the offset of the
// top-level field it is in.
struct Malformed {
  std::string message;
};

using protozero::pbf_reader;
using protozero::pbf_wire_type;

void expect(const pbf_reader& r, pbf_wire_type type, const char* field) {
  if (!r.has_wire_type(type)) throw Malformed{fmt::format("{} has the wrong wire type", field)};
}

// A repeated integer field, packed (as Go writes it) or not.
template <class Int>
void read_repeated(pbf_reader& r, std::vector<Int>& out, const char* field) {
  if (r.has_wire_type(pbf_wire_type::varint)) {
    out.push_back(static_cast<Int>(r.get_uint64()));
    return;
  }
  expect(r, pbf_wire_type::length_delimited, field);
  for (std::uint64_t v : r.get_packed_uint64()) out.push_back(static_cast<Int>(v));
}

std::uint64_t read_uint(pbf_reader& r, const char* field) {
  expect(r, pbf_wire_type::varint, field);
  return r.get_uint64();
}

struct Line {
  std::uint64_t function_id = 0;
  std::int64_t line = 0;
};
struct Function {
  std::uint64_t name = 0, filename = 0;  // string table indices
};
struct RawSample {
  std::uint64_t offset = 0;
  std::vector<std::uint64_t> location_ids;
  std::vector<std::int64_t> values;
};

// The profile's messages as read, before ids and string indices are resolved.
struct RawProfile {
  std::vector<std::uint64_t> sample_types;  // string table indices of the types
  std::vector<RawSample> samples;
  std::map<std::uint64_t, std::vector<Line>> locations;
  std::map<std::uint64_t, Function> functions;
  std::vector<std::string> strings;

  void read_field(pbf_reader& r, std::uint64_t offset) {
    switch (r.tag()) {
      case profile_field::kSampleType: {
        expect(r, pbf_wire_type::length_delimited, "sample_type");
        pbf_reader vt = r.get_message();
        std::uint64_t type = 0;
        while (vt.next())
          if (vt.tag() == value_type_field::kType) {
            type = read_uint(vt, "sample_type.type");
          } else {
            vt.skip();
          }
        sample_types.push_back(type);
        break;
      }
      case profile_field::kSample: read_sample(r, offset); break;
      case profile_field::kLocation: read_location(r); break;
      case profile_field::kFunction: read_function(r); break;
      case profile_field::kStringTable:
        expect(r, pbf_wire_type::length_delimited, "string_table");
        strings.push_back(r.get_string());
        break;
      default: r.skip();
    }
  }

  void read_sample(pbf_reader& r, std::uint64_t offset) {
    expect(r, pbf_wire_type::length_delimited, "sample");
    pbf_reader m = r.get_message();
    RawSample s;
    s.offset = offset;
    while (m.next()) {
      if (m.tag() == sample_field::kLocationId) {
        read_repeated(m, s.location_ids, "sample.location_id");
      } else if (m.tag() == sample_field::kValue) {
        read_repeated(m, s.values, "sample.value");
      } else {
        m.skip();
      }
    }
    samples.push_back(std::move(s));
  }

  void read_location(pbf_reader& r) {
    expect(r, pbf_wire_type::length_delimited, "location");
    pbf_reader m = r.get_message();
    std::uint64_t id = 0;
    std::vector<Line> lines;
    while (m.next()) {
      if (m.tag() == location_field::kId) {
        id = read_uint(m, "location.id");
      } else if (m.tag() == location_field::kLine) {
        expect(m, pbf_wire_type::length_delimited, "location.line");
        pbf_reader l = m.get_message();
        Line line;
        while (l.next()) {
          if (l.tag() == line_field::kFunctionId) {
            line.function_id = read_uint(l, "line.function_id");
          } else if (l.tag() == line_field::kLine) {
            line.line = static_cast<std::int64_t>(read_uint(l, "line.line"));
          } else {
            l.skip();
          }
        }
        lines.push_back(line);
      } else {
        m.skip();
      }
    }
    if (id == 0) throw Malformed{"a location without an id"};
    if (!locations.emplace(id, std::move(lines)).second) throw Malformed{fmt::format("location id {} twice", id)};
  }

  void read_function(pbf_reader& r) {
    expect(r, pbf_wire_type::length_delimited, "function");
    pbf_reader m = r.get_message();
    std::uint64_t id = 0;
    Function f;
    while (m.next()) {
      if (m.tag() == function_field::kId) {
        id = read_uint(m, "function.id");
      } else if (m.tag() == function_field::kName) {
        f.name = read_uint(m, "function.name");
      } else if (m.tag() == function_field::kFilename) {
        f.filename = read_uint(m, "function.filename");
      } else {
        m.skip();
      }
    }
    if (id == 0) throw Malformed{"a function without an id"};
    if (!functions.emplace(id, f).second) throw Malformed{fmt::format("function id {} twice", id)};
  }

  const std::string& string_at(std::uint64_t index) const {
    if (index >= strings.size()) {
      throw Malformed{fmt::format("string index {} beyond the string table ({} strings)", index, strings.size())};
    }
    return strings[index];
  }

  // The bytes of the names the samples' stacks would copy, before they are copied: a few hundred
  // crafted bytes can ask for gigabytes. Ids not in the profile count nothing (stack_of says why).
  std::size_t expanded_bytes() const {
    std::map<std::uint64_t, std::size_t> location_bytes;
    for (const auto& [id, lines] : locations) {
      std::size_t bytes = 0;
      for (const Line& line : lines) {
        auto fn = functions.find(line.function_id);
        if (fn == functions.end()) continue;
        for (std::uint64_t index : {fn->second.name, fn->second.filename})
          bytes += index < strings.size() ? strings[index].size() : 0;
      }
      location_bytes[id] = bytes;
    }
    std::size_t total = 0;
    for (const RawSample& s : samples) {
      for (std::uint64_t id : s.location_ids) {
        auto it = location_bytes.find(id);
        total += it == location_bytes.end() ? 0 : it->second;
        if (total > kMaxExpandedBytes) return total;
      }
    }
    return total;
  }

  // A sample's stack, innermost frame first: each location's lines are its inlined frames,
  // innermost first too.
  StackInfo stack_of(const RawSample& s) const {
    StackInfo stack;
    for (std::uint64_t id : s.location_ids) {
      auto loc = locations.find(id);
      if (loc == locations.end()) throw Malformed{fmt::format("location id {} is not in the profile", id)};
      for (const Line& line : loc->second) {
        auto fn = functions.find(line.function_id);
        if (fn == functions.end()) {
          throw Malformed{fmt::format("function id {} is not in the profile", line.function_id)};
        }
        if (line.line < 0) throw Malformed{fmt::format("line {} is negative", line.line)};
        stack.push_back(FrameInfo{string_at(fn->second.name), string_at(fn->second.filename),
                                  static_cast<std::uint64_t>(line.line)});
      }
    }
    return stack;
  }
};

Result<std::string> read_all(ByteSource& source) {
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    auto n = source.read(buffer, sizeof buffer);
    if (!n) return std::move(n).error();
    if (*n == 0) return bytes;
    if (bytes.size() + *n > kMaxProfileBytes) {
      return make_error(ErrorCode::Limit, bytes.size(),
                        fmt::format("a profile over {} MiB is not a goroutineleak profile", kMaxProfileBytes >> 20));
    }
    bytes.append(buffer, *n);
  }
}

Result<RawProfile> parse(std::string_view bytes) {
  RawProfile raw;
  pbf_reader r(bytes.data(), bytes.size());
  std::uint64_t offset = 0;
  try {
    for (;;) {
      offset = static_cast<std::uint64_t>(r.data().data() - bytes.data());
      if (!r.next()) break;
      raw.read_field(r, offset);
    }
  } catch (const Malformed& m) {
    return make_error(ErrorCode::Corrupt, offset, "goroutineleak profile: " + m.message);
  } catch (const protozero::end_of_buffer_exception&) {
    return make_error(ErrorCode::Truncated, offset, "goroutineleak profile: a field runs past the end of the profile");
  } catch (const protozero::exception& e) {
    return make_error(ErrorCode::Corrupt, offset,
                      fmt::format("goroutineleak profile: malformed protobuf ({})", e.what()));
  }
  return raw;
}

// The samples resolved, after checking the profile is a goroutineleak profile.
Result<LeakProfile> resolve(const RawProfile& raw) {
  if (raw.strings.empty() || !raw.strings[0].empty()) {
    return make_error(ErrorCode::Corrupt, 0, "not a pprof profile: its string table does not start with \"\"");
  }
  if (raw.sample_types.empty()) return make_error(ErrorCode::Corrupt, 0, "not a pprof profile: no sample type");
  if (raw.expanded_bytes() > kMaxExpandedBytes) {
    return make_error(ErrorCode::Limit, 0,
                      fmt::format("goroutineleak profile: its stacks name over {} MiB of functions and files, which "
                                  "no profile Go writes does",
                                  kMaxExpandedBytes >> 20));
  }
  LeakProfile profile;
  std::uint64_t at = 0;
  try {
    const std::string& type = raw.string_at(raw.sample_types[0]);
    if (type != "goroutineleak") {
      throw Malformed{
          fmt::format("a pprof profile of {}, not goroutineleak (build with "
                      "GOEXPERIMENT=goroutineleakprofile and write pprof.Lookup(\"goroutineleak\"))",
                      type.empty() ? "no type" : "type " + type)};
    }
    for (const RawSample& s : raw.samples) {
      at = s.offset;
      if (s.values.size() != raw.sample_types.size()) {
        throw Malformed{
            fmt::format("a sample with {} values for {} sample types", s.values.size(), raw.sample_types.size())};
      }
      if (s.values[0] < 0 || s.values[0] > kMaxCount) {
        throw Malformed{fmt::format("a sample of {} goroutines", s.values[0])};
      }
      profile.samples.push_back({raw.stack_of(s), static_cast<std::uint64_t>(s.values[0])});
    }
  } catch (const Malformed& m) {
    return make_error(ErrorCode::Corrupt, at, "goroutineleak profile: " + m.message);
  }
  return profile;
}

}  // namespace

bool starts_like_profile(std::string_view head) {
  // A one-byte tag of one of profile.proto's fields (1-14; Go writes period_type, 11, first),
  // each a varint (wire type 0) or length-delimited (2).
  if (head.empty()) return false;
  const auto tag = static_cast<unsigned char>(head[0]);
  const unsigned field = tag >> 3u, wire_type = tag & 7u;
  return field >= 1 && field <= 14 && (wire_type == 0 || wire_type == 2);
}

Result<LeakProfile> read_leak_profile(ByteSource& source) {
  auto bytes = read_all(source);
  if (!bytes) return std::move(bytes).error();
  auto raw = parse(*bytes);
  if (!raw) return std::move(raw).error();
  return resolve(*raw);
}

}  // namespace gtanalyze::input
