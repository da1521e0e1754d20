// --leak-proof's inputs: the goroutineleak profile reader on Go's own profile and on damaged or
// foreign ones, and the whole join (reader + matching) against Go's reading of the same profile.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <protozero/pbf_writer.hpp>
#include <sstream>
#include <string>

#include "analysis/leak_proof.hpp"
#include "input/input.hpp"
#include "input/leak_profile.hpp"
#include "report/json.hpp"
#include "support/analyse.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace gtanalyze;
using Catch::Matchers::ContainsSubstring;

namespace {

const fs::path kProfile = test::source_dir() / "corpus/go1.26/leakproof.goroutineleak.pb.gz";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<LeakProfile> read_profile(const std::string& bytes) {
  auto source = ByteSource::from_memory(bytes, "test");
  return input::read_leak_profile(*source);
}

// The corpus profile, decompressed.
std::string corpus_profile_bytes() {
  auto source = ByteSource::open(kProfile.string());
  REQUIRE(source.has_value());
  std::string bytes;
  char buffer[4096];
  for (std::size_t n; (n = *(*source)->read(buffer, sizeof buffer)) > 0;) bytes.append(buffer, n);
  return bytes;
}

// A small profile.proto of one sample (stack main.f ← runtime.gopark), its parts spoilt by the
// caller: the string table, the sample's location id and count, the function's name index.
struct Crafted {
  std::string type = "goroutineleak";
  std::uint64_t location_id = 1;
  std::int64_t count = 1;
  std::uint64_t name_index = 2;
  std::string name = "main.f";
  std::size_t repeats = 1;  // how many times the sample names its location
  std::string bytes() const {
    std::string out;
    protozero::pbf_writer p(out);
    {
      protozero::pbf_writer vt(p, 1);  // sample_type
      vt.add_int64(1, 1);
      vt.add_int64(2, 3);
    }
    {
      protozero::pbf_writer s(p, 2);  // sample
      const std::vector<std::uint64_t> ids(repeats, location_id);
      s.add_packed_uint64(1, ids.begin(), ids.end());
      const std::int64_t values[] = {count};
      s.add_packed_int64(2, std::begin(values), std::end(values));
    }
    {
      protozero::pbf_writer l(p, 4);  // location
      l.add_uint64(1, 1);
      protozero::pbf_writer line(l, 4);
      line.add_uint64(1, 7);
      line.add_int64(2, 42);
    }
    {
      protozero::pbf_writer f(p, 5);  // function
      f.add_uint64(1, 7);
      f.add_int64(2, static_cast<std::int64_t>(name_index));
      f.add_int64(4, 4);
    }
    for (const std::string& s : {std::string(), type, name, std::string("count"), std::string("./main.go")})
      p.add_string(6, s);
    return out;
  }
};

std::string error_of(const std::string& bytes) {
  auto profile = read_profile(bytes);
  REQUIRE_FALSE(profile.has_value());
  return profile.error().describe();
}

}  // namespace

TEST_CASE("Go 1.26's goroutineleak profile: its samples, stacks innermost first with inlined frames expanded") {
  auto source = ByteSource::open(kProfile.string());
  REQUIRE(source.has_value());
  auto profile = input::read_leak_profile(**source);
  REQUIRE(profile.has_value());
  // corpus/README.md: 11 goroutines in 9 samples, as `go tool pprof -traces` lists them.
  std::uint64_t goroutines = 0;
  for (const LeakProfileSample& s : profile->samples) {
    goroutines += s.count;
    REQUIRE_FALSE(s.stack.empty());
    CHECK(s.stack.front().function == "runtime.gopark");
  }
  CHECK(profile->samples.size() == 9);
  CHECK(goroutines == 11);
  bool lock_seen = false;
  for (const LeakProfileSample& s : profile->samples) {
    if (s.stack.back().function != "main.lockOn") continue;
    lock_seen = true;
    // One location holds three inlined frames: internal/sync's Lock inlined into sync's into main's.
    REQUIRE(s.stack.size() >= 3);
    CHECK(s.stack[s.stack.size() - 3].function == "internal/sync.(*Mutex).Lock");
    CHECK(s.stack[s.stack.size() - 2] == FrameInfo{"sync.(*Mutex).Lock", "sync/mutex.go", 46});
    CHECK(s.stack.back() == FrameInfo{"main.lockOn", "./main.go", 166});
  }
  CHECK(lock_seen);
}

TEST_CASE("a leak proof by the run's profile equals Go's reading of it (tests/golden/json-leak-proof)") {
  std::size_t goldens = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / "tests/golden/json-leak-proof")) {
    if (entry.path().extension() != ".json") continue;
    goldens++;
    const fs::path trace = test::source_dir() / "corpus" / entry.path().parent_path().filename() /
                           (entry.path().stem().string() + ".trace");
    const fs::path profile = fs::path(trace).replace_extension(".goroutineleak.pb.gz");
    INFO(trace.string());
    Summary summary = test::analyse(trace);
    auto source = ByteSource::open(profile.string());
    REQUIRE(source.has_value());
    auto proof = input::read_leak_proof(**source);
    REQUIRE(proof.has_value());
    REQUIRE(proof->kind == LeakProof::Profile);
    analysis::prove_leaks(summary, proof->profile);
    const json got = json::parse(report::to_json(summary));
    const json want = json::parse(read_file(entry.path()));
    CHECK(json::diff(want, got).dump() == "[]");
    // What corpus/README.md says of the run: 11 proven of 14, two of them in a group of three.
    if (trace.filename() != "leakproof.trace") continue;
    std::size_t yes = 0, no = 0, undecided = 0;
    for (const auto& c : got["leak_candidates"]) {
      if (c["proven"].is_null()) {
        undecided++;
      } else {
        (c["proven"].get<bool>() ? yes : no)++;
      }
    }
    CHECK(yes == 9);
    CHECK(no == 2);
    CHECK(undecided == 3);
    std::uint64_t proven = 0;
    for (const auto& g : got["leak_groups"]) proven += g["proven"].get<std::uint64_t>();
    CHECK(proven == 11);
    CHECK(got["trace"]["warnings"].empty());
  }
  CHECK(goldens >= 1);
}

#if GTANALYZE_WITH_COLLECTOR
// corpus/go1.26/leakproof.cap watched the run that wrote the trace and the profile: the goroutines
// it saw the GC mark leaked are exactly those the profile lists, and it decides the ones the
// profile cannot tell apart.
TEST_CASE("both proof sources of one run prove the goroutines Go's profile lists, and nothing else") {
  auto proved_by = [](const char* file) {
    Summary s = test::analyse("corpus/go1.26/leakproof.trace");
    auto source = ByteSource::open((test::source_dir() / "corpus/go1.26" / file).string());
    REQUIRE(source.has_value());
    auto proof = input::read_leak_proof(**source);
    REQUIRE(proof.has_value());
    if (proof->kind == LeakProof::Profile) {
      analysis::prove_leaks(s, proof->profile);
    } else {
      analysis::prove_leaks(s, proof->capture);
    }
    CHECK(s.warnings.empty());
    return s;
  };
  const Summary by_profile = proved_by("leakproof.goroutineleak.pb.gz");
  const Summary by_capture = proved_by("leakproof.cap");
  CHECK(by_capture.leak_proof == LeakProof::Capture);
  REQUIRE(by_profile.leak_candidates.size() == by_capture.leak_candidates.size());
  std::uint64_t proven = 0;
  for (std::size_t i = 0; i < by_profile.leak_candidates.size(); i++) {
    const LeakCandidate &p = by_profile.leak_candidates[i], &c = by_capture.leak_candidates[i];
    INFO("g" << c.id << " " << c.name);
    REQUIRE(c.proven.has_value());  // a capture decides every candidate
    if (p.proven) CHECK(*p.proven == *c.proven);
    proven += *c.proven ? 1 : 0;
  }
  CHECK(proven == 11);
  for (std::size_t i = 0; i < by_profile.leak_groups.size(); i++) {
    INFO(by_profile.leak_groups[i].name);
    CHECK(by_profile.leak_groups[i].proven == by_capture.leak_groups[i].proven);  // k of n: the same k
  }
}
#endif

TEST_CASE("a profile of another run matches nothing: it proves nothing, and says so") {
  Summary summary = test::analyse("corpus/go1.26/leaky.trace");
  auto source = ByteSource::open(kProfile.string());
  REQUIRE(source.has_value());
  auto proof = input::read_leak_proof(**source);
  REQUIRE(proof.has_value());
  analysis::prove_leaks(summary, proof->profile);
  REQUIRE(summary.leak_candidates.size() == 14);
  for (const LeakCandidate& c : summary.leak_candidates) CHECK_FALSE(c.proven.has_value());
  for (const LeakGroup& g : summary.leak_groups) CHECK_FALSE(g.proven.has_value());
  CHECK(summary.leak_proof == LeakProof::Profile);
  REQUIRE(summary.warnings.size() == 1);
  CHECK_THAT(summary.warnings[0],
             ContainsSubstring("lists 11 leaked goroutine(s), none at the block stack of a leak candidate"));
}

TEST_CASE("a crafted profile reads; each broken part is an error that says what and where") {
  const Crafted good;
  auto profile = read_profile(good.bytes());
  REQUIRE(profile.has_value());
  REQUIRE(profile->samples.size() == 1);
  CHECK(profile->samples[0].count == 1);
  CHECK(profile->samples[0].stack == StackInfo{{"main.f", "./main.go", 42}});

  Crafted other_type;
  other_type.type = "goroutine";  // a goroutine profile lists every goroutine: it proves nothing
  CHECK_THAT(error_of(other_type.bytes()), ContainsSubstring("a pprof profile of type goroutine, not goroutineleak"));
  Crafted missing_location;
  missing_location.location_id = 9;
  CHECK_THAT(error_of(missing_location.bytes()),
             ContainsSubstring("offset 6: goroutineleak profile: location id 9 is not in the profile"));
  Crafted negative;
  negative.count = -1;
  CHECK_THAT(error_of(negative.bytes()), ContainsSubstring("a sample of -1 goroutines"));
  Crafted bad_string;
  bad_string.name_index = 99;
  CHECK_THAT(error_of(bad_string.bytes()), ContainsSubstring("string index 99 beyond the string table (5 strings)"));

  // 4 KB of profile whose stack names a 64 KiB function 5000 times: 313 MiB to copy (the reader
  // ran out of memory on such a profile of 242 bytes, gzipped).
  Crafted bomb;
  bomb.name = std::string(64 << 10, 'f');
  bomb.repeats = 5000;
  CHECK_THAT(error_of(bomb.bytes()), ContainsSubstring("its stacks name over 256 MiB of functions and files"));

  // The sample (field 2) as a varint instead of a message.
  std::string wrong_wire = good.bytes();
  wrong_wire.insert(0, "\x10\x01", 2);
  CHECK_THAT(error_of(wrong_wire),
             ContainsSubstring("offset 0: goroutineleak profile: sample has the wrong wire type"));
}

TEST_CASE("every truncation of Go's profile is an error or fewer samples, never a crash") {
  const std::string bytes = corpus_profile_bytes();
  REQUIRE(bytes.size() > 100);
  std::size_t errors = 0;
  for (std::size_t n = 0; n < bytes.size(); n++) {
    auto profile = read_profile(bytes.substr(0, n));
    if (!profile) {
      errors++;
      CHECK(profile.error().offset <= n);
    }
  }
  CHECK(errors > bytes.size() / 2);
  auto cut = read_profile(bytes.substr(0, bytes.size() / 2));
  REQUIRE_FALSE(cut.has_value());
}

TEST_CASE("every byte of Go's profile damaged, in turn: an error or a profile, never a crash") {
  const std::string bytes = corpus_profile_bytes();
  std::size_t errors = 0;
  for (std::size_t i = 0; i < bytes.size(); i++) {
    for (const unsigned flip : {0x01u, 0x80u, 0xffu}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ flip);
      auto profile = read_profile(damaged);
      if (!profile) {
        errors++;
        CHECK(profile.error().offset <= damaged.size());
      }
    }
  }
  CHECK(errors > 0);
}

TEST_CASE("a leak proof is a profile or a capture; anything else is turned away") {
  for (const std::string& not_proof :
       {std::string("go 1.26 trace\0\0\0", 16), std::string("{\"schema\": 1}"), std::string()}) {
    auto source = ByteSource::from_memory(not_proof, "test");
    auto proof = input::read_leak_proof(*source);
    REQUIRE_FALSE(proof.has_value());
    CHECK_THAT(proof.error().message, ContainsSubstring("not a goroutineleak profile"));
  }
  // Text whose first byte happens to be a protobuf tag: read as a profile, and found malformed
  // ("he" is field 13 = 101; "l" a tag of wire type 4, which no profile has).
  auto text = ByteSource::from_memory("hello", "test");
  auto proof = input::read_leak_proof(*text);
  REQUIRE_FALSE(proof.has_value());
  CHECK_THAT(proof.error().describe(), ContainsSubstring("offset 2: goroutineleak profile: malformed protobuf"));
}

// diff narrows a JSON side by --leak-ignore and --leak-min-blocked too: they narrowed only the
// traces' leaks, so `diff leaky.json leaky.trace --leak-min-blocked 51ms` found 14 leaks gone.
TEST_CASE("an export narrowed by leak options equals the trace analysed with them, its proof too") {
  const LeakOptions defaults;
  LeakOptions recent = defaults, named = defaults;
  recent.min_blocked = 60'000'000;
  named.ignore.push_back("^main\\.(blockOnRecv|recvOn|lockHeld)$");
  auto profile = read_profile(read_file(kProfile));
  REQUIRE(profile.has_value());
  std::size_t narrowed = 0;
  for (const char* trace : {"corpus/go1.26/leaky.trace", "corpus/go1.26/leakproof.trace", "corpus/go1.21/chans.trace",
                            "corpus/go1.19/leaky.trace"}) {
    const bool proof = std::string_view(trace).find("leakproof") != std::string_view::npos;
    const auto analysed = [&](const LeakOptions& options) {
      Summary s = test::analyse(trace, options);
      if (proof) analysis::prove_leaks(s, *profile);
      return s;
    };
    const json full = json::parse(report::to_json(analysed(defaults)));
    for (const LeakOptions* options :
         {&defaults, static_cast<const LeakOptions*>(&recent), static_cast<const LeakOptions*>(&named)}) {
      INFO(trace << " ignoring " << options->ignore.back() << " and blocked < " << options->min_blocked << " ns");
      auto loaded = report::from_json(full.dump());
      REQUIRE(loaded.has_value());
      analysis::apply_leak_options(*loaded, *options);
      const json got = json::parse(report::to_json(*loaded));
      const json want = json::parse(report::to_json(analysed(*options)));
      CHECK(got["leak_candidates"] == want["leak_candidates"]);
      CHECK(got["leak_groups"] == want["leak_groups"]);
      if (got["leak_groups"] != full["leak_groups"]) narrowed++;
    }
  }
  CHECK(narrowed >= 4);
}
