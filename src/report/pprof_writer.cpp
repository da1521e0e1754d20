// Encoding of pprof profiles with libprotozero (see pprof_writer.hpp).
#include "report/pprof_writer.hpp"

#include <protozero/pbf_writer.hpp>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/gzip_writer.hpp"

namespace gtanalyze::report {
namespace {

// Field numbers of profile.proto.
namespace profile_field {
constexpr int kSampleType = 1, kSample = 2, kLocation = 4, kFunction = 5, kStringTable = 6, kPeriodType = 11,
              kPeriod = 12;
}
namespace value_type_field {
constexpr int kType = 1, kUnit = 2;
}
namespace sample_field {
constexpr int kLocationId = 1, kValue = 2;
}
namespace location_field {
constexpr int kId = 1, kAddress = 3, kLine = 4;
}
namespace line_field {
constexpr int kFunctionId = 1, kLine = 2;
}
namespace function_field {
constexpr int kId = 1, kName = 2, kSystemName = 3, kFilename = 4;
}

// The string table: "" first, then each string the first time it is used.
class Strings {
 public:
  Strings() { index(""); }
  std::int64_t index(const std::string& s) {
    const auto [it, added] = ids_.try_emplace(s, static_cast<std::int64_t>(table_.size()));
    if (added) table_.push_back(s);
    return it->second;
  }
  void write(protozero::pbf_writer& profile) const {
    for (const std::string& s : table_) profile.add_string(profile_field::kStringTable, s);
  }

 private:
  std::vector<std::string> table_;
  std::unordered_map<std::string, std::int64_t> ids_;
};

void add_value_type(protozero::pbf_writer& profile, int field, Strings& strings, const char* type, const char* unit) {
  protozero::pbf_writer value(profile, field);
  value.add_int64(value_type_field::kType, strings.index(type));
  value.add_int64(value_type_field::kUnit, strings.index(unit));
}

// Locations and functions, numbered from 1 as they are first used, written as they are made.
class Locations {
 public:
  Locations(protozero::pbf_writer& profile, Strings& strings) : profile_(profile), strings_(strings) {}

  std::uint64_t location(const analysis::ProfileFrame& frame) {
    const auto [it, added] = locations_.try_emplace(frame.pc, locations_.size() + 1);
    if (!added) return it->second;
    const std::uint64_t function_id = function(frame);
    protozero::pbf_writer location(profile_, profile_field::kLocation);
    location.add_uint64(location_field::kId, it->second);
    location.add_uint64(location_field::kAddress, frame.pc);
    protozero::pbf_writer line(location, location_field::kLine);
    line.add_uint64(line_field::kFunctionId, function_id);
    line.add_int64(line_field::kLine, static_cast<std::int64_t>(frame.line));
    return it->second;
  }

 private:
  std::uint64_t function(const analysis::ProfileFrame& frame) {
    const auto [it, added] = functions_.try_emplace(std::make_pair(frame.function, frame.file), functions_.size() + 1);
    if (!added) return it->second;
    const std::int64_t name = strings_.index(frame.function);
    protozero::pbf_writer function(profile_, profile_field::kFunction);
    function.add_uint64(function_field::kId, it->second);
    function.add_int64(function_field::kName, name);
    function.add_int64(function_field::kSystemName, name);
    function.add_int64(function_field::kFilename, strings_.index(frame.file));
    return it->second;
  }

  struct PairHash {
    std::size_t operator()(const std::pair<std::string, std::string>& k) const {
      return std::hash<std::string>()(k.first) * 31 + std::hash<std::string>()(k.second);
    }
  };
  protozero::pbf_writer& profile_;
  Strings& strings_;
  std::unordered_map<std::uint64_t, std::uint64_t> locations_;  // by PC
  std::unordered_map<std::pair<std::string, std::string>, std::uint64_t, PairHash> functions_;
};

}  // namespace

std::string encode_pprof(std::span<const analysis::ProfileSample> samples) {
  std::string out;
  protozero::pbf_writer profile(out);
  Strings strings;
  add_value_type(profile, profile_field::kSampleType, strings, "contentions", "count");
  add_value_type(profile, profile_field::kSampleType, strings, "delay", "nanoseconds");
  Locations locations(profile, strings);
  std::vector<std::uint64_t> ids;
  for (const analysis::ProfileSample& sample : samples) {
    ids.clear();
    for (const analysis::ProfileFrame& frame : sample.frames) ids.push_back(locations.location(frame));
    const std::int64_t values[] = {static_cast<std::int64_t>(sample.count), sample.delay};
    protozero::pbf_writer message(profile, profile_field::kSample);
    message.add_packed_uint64(sample_field::kLocationId, ids.begin(), ids.end());
    message.add_packed_int64(sample_field::kValue, std::begin(values), std::end(values));
  }
  add_value_type(profile, profile_field::kPeriodType, strings, "trace", "count");
  profile.add_int64(profile_field::kPeriod, 1);
  strings.write(profile);
  return out;
}

bool write_pprof(std::FILE* out, std::span<const analysis::ProfileSample> samples) {
  return io::write_gzip(out, encode_pprof(samples));
}

}  // namespace gtanalyze::report
