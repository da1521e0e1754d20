// Old-format (Go 1.5–1.21) decoding: every corpus trace decodes, dumps equal Go's own (goldens
// from tools/golden/make-v1-goldens.sh), and damaged input gives a warning or an error, never a crash.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "parser/dump.hpp"
#include "parser/v1/v1_reader.hpp"

namespace fs = std::filesystem;
using namespace gtanalyze;

namespace {

fs::path source_dir() { return fs::path(GTANALYZE_SOURCE_DIR); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Reads a file through ByteSource, which undoes zstd compression of the large goldens.
std::string read_golden(const fs::path& p) {
  auto src = ByteSource::open(p.string());
  REQUIRE(src.has_value());
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = (*src)->read(buf, sizeof buf);
    REQUIRE(n.has_value());
    if (*n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

// Every old-format trace in the corpus, with the name its goldens use.
std::vector<std::pair<std::string, fs::path>> old_format_traces() {
  std::vector<std::pair<std::string, fs::path>> out;
  for (const char* dir : {"corpus/go-testdata/v1", "corpus/derived"}) {
    for (const auto& e : fs::directory_iterator(source_dir() / dir))
      out.emplace_back(e.path().filename().string(), e.path());
  }
  for (const char* v : {"go1.19", "go1.21"}) {
    fs::path dir = source_dir() / "corpus" / v;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".trace") out.emplace_back(std::string(v) + "-" + e.path().stem().string(), e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Decoded {
  bool ok = false;
  std::string error;
  std::string dump;
  std::uint64_t events = 0;
  std::vector<std::string> warnings;
  std::string impossible;  // the first goroutine transition whose from-state is not the last to-state
};

Decoded decode(std::string_view bytes, bool want_dump) {
  Decoded d;
  auto src = ByteSource::from_memory(bytes);
  auto reader = TraceReader::open(*src);
  if (!reader) {
    d.error = reader.error().describe();
    return d;
  }
  Event ev;
  std::map<std::int64_t, GoState> states;  // each goroutine's state after its last transition
  for (;;) {
    auto r = (*reader)->next(ev);
    if (!r) {
      d.error = r.error().describe();
      return d;
    }
    if (!*r) break;
    d.events++;
    if (want_dump) parser::append_event(d.dump, ev);
    const StateChange st = ev.state_change();
    if (ev.kind() != EventKind::StateTransition || st.kind != ResourceKind::Goroutine) continue;
    const auto [last, first] = states.try_emplace(st.id, st.go_to);
    const bool possible = first ? st.go_from == GoState::Undetermined || st.go_from == GoState::NotExist
                                : st.go_from == last->second && st.go_from != GoState::Undetermined;
    if (!possible && d.impossible.empty()) {
      d.impossible = "event " + std::to_string(d.events) + ": " + parser::format_event(ev);
    }
    last->second = st.go_to;
  }
  d.warnings = (*reader)->warnings();
  d.ok = true;
  return d;
}

// The first line where two dumps differ, for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
  std::size_t line = 1, i = 0;
  for (; i < want.size() && i < got.size() && want[i] == got[i]; i++) {
    if (want[i] == '\n') line++;
  }
  if (i == want.size() && i == got.size()) return {};
  auto line_at = [](const std::string& s, std::size_t at) {
    std::size_t b = s.rfind('\n', at == 0 ? 0 : at - 1);
    b = b == std::string::npos ? 0 : b + 1;
    std::size_t e = s.find('\n', at);
    return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
  };
  return "line " + std::to_string(line) + "\n  go:   " + line_at(want, i) + "\n  ours: " + line_at(got, i);
}

}  // namespace

TEST_CASE("v1: every old-format corpus trace decodes", "[v1]") {
  auto traces = old_format_traces();
  REQUIRE(traces.size() >= 26);
  std::size_t decoded = 0;
  for (const auto& [name, path] : traces) {
    INFO(name);
    auto d = decode(read_file(path), false);
    CHECK(d.error.empty());
    CHECK(d.ok);
    CHECK(d.events > 2);
    if (name == "stress_1_5_unordered") {
      // Go rejects it ("time stamps out of order"); we keep the sequence-number order and repair.
      REQUIRE(d.warnings.size() == 1);
      CHECK(d.warnings[0].find("time stamps out of order") != std::string::npos);
    } else {
      CHECK(d.warnings.empty());
    }
    decoded += d.ok ? 1 : 0;
  }
  CHECK(decoded == traces.size());
}

TEST_CASE("v1: dumps equal Go 1.26's -d=parsed (1.11-1.21)", "[v1][golden]") {
  fs::path dir = source_dir() / "tests/golden/v1/parsed";
  std::size_t compared = 0;
  for (const auto& [name, path] : old_format_traces()) {
    fs::path golden = dir / (name + ".txt");
    if (!fs::exists(golden)) golden += ".zst";
    if (!fs::exists(golden)) continue;
    INFO(name);
    auto d = decode(read_file(path), true);
    REQUIRE(d.ok);
    CHECK(first_difference(read_golden(golden), d.dump) == "");
    compared++;
  }
  CHECK(compared >= 13);
}

TEST_CASE("v1: old-event dumps equal Go 1.19's -d (1.5-1.10)", "[v1][golden]") {
  fs::path dir = source_dir() / "tests/golden/v1/old";
  std::size_t compared = 0;
  for (const auto& [name, path] : old_format_traces()) {
    fs::path golden = dir / (name + ".txt");
    if (!fs::exists(golden)) golden += ".zst";
    if (!fs::exists(golden)) continue;
    INFO(name);
    auto dump = parser::dump_v1_old_events(read_file(path));
    REQUIRE(dump.has_value());
    CHECK(first_difference(read_golden(golden), *dump) == "");
    compared++;
  }
  CHECK(compared >= 12);
}

TEST_CASE("v1: a truncated trace gives its complete part with a warning, or a clear error", "[v1][truncation]") {
  for (const char* name : {"http_1_9_good", "user_task_region_1_21_good"}) {
    const std::string bytes = read_file(source_dir() / "corpus/go-testdata/v1" / name);
    REQUIRE(bytes.size() > 100);
    std::size_t with_warning = 0, errors = 0;
    for (std::size_t n = 0; n < bytes.size(); n++) {
      auto d = decode(std::string_view(bytes).substr(0, n), false);
      INFO(name << " cut at " << n);
      if (d.ok) {
        // A trace that lost its tail must say so.
        CHECK(!d.warnings.empty());
        with_warning++;
      } else {
        CHECK(!d.error.empty());
        // A cut between two records loses the Frequency record too: that is a cut, not corruption.
        CHECK(d.error.find("EvFrequency") == std::string::npos);
        errors++;
      }
    }
    // Past the first batch, most cuts must still give a result.
    CHECK(with_warning > bytes.size() / 2);
    WARN(name << ": " << with_warning << " results with a warning, " << errors << " errors");
  }
}

TEST_CASE("v1: a cut Go 1.5 trace that cannot be ordered says it is cut", "[v1][truncation]") {
  // Go 1.5 events have no sequence numbers: a cut can leave an event whose partner was cut off.
  const std::string bytes = read_file(source_dir() / "corpus/go-testdata/v1/stress_1_5_good");
  std::size_t errors = 0;
  for (std::size_t n = 1000; n < bytes.size(); n += 97) {
    auto d = decode(std::string_view(bytes).substr(0, n), false);
    INFO("cut at " << n << ": " << d.error);
    if (d.ok) continue;
    CHECK(d.error.find("the trace is cut short") != std::string::npos);
    errors++;
  }
  CHECK(errors > 0);
}

TEST_CASE("v1: a cut trace never gives a goroutine a transition from a state it is not in", "[v1][truncation]") {
  // Cuts that lost the start-of-trace block's end (its first Gomaxprocs: 1.9, bytes 1985-2111) gave
  // goroutine 3 GoStatus twice; cuts inside a Go 1.5 trace's numbering (5557-5746) unblocked a
  // goroutine in a syscall whose exit was cut off. Go refuses every cut trace.
  // Each trace's first Gomaxprocs record begins at this offset (Go 1.19's parser's -d; 0: not
  // known, as Go refuses the trace): a cut 16 bytes past it keeps it whole, and must not say it
  // was cut off.
  for (const auto& [name, gomaxprocs] :
       {std::pair{"stress_start_stop_1_9_good", 2112}, {"stress_1_5_good", 4897}, {"stress_1_5_unordered", 0}}) {
    const std::string bytes = read_file(source_dir() / "corpus/go-testdata/v1" / name);
    std::size_t results = 0, start_cut = 0;
    for (std::size_t n = 0; n < bytes.size(); n++) {
      const auto d = decode(std::string_view(bytes).substr(0, n), false);
      INFO(name << " cut at " << n);
      CHECK(d.impossible == "");
      results += d.ok ? 1 : 0;
      const bool says_start_cut = std::any_of(d.warnings.begin(), d.warnings.end(), [](const std::string& w) {
        return w.find("(its first Gomaxprocs) was cut off") != std::string::npos;
      });
      if (gomaxprocs != 0 && n >= static_cast<std::size_t>(gomaxprocs) + 16) CHECK_FALSE(says_start_cut);
      start_cut += says_start_cut ? 1 : 0;
    }
    CHECK(start_cut > 0);  // cuts before it do say so
    CHECK(results > bytes.size() / 3);
    WARN(name << ": " << results << " of " << bytes.size() << " cuts give a result");
  }
}

TEST_CASE("v1: corruption is an error naming the byte offset", "[v1]") {
  std::string bytes = read_file(source_dir() / "corpus/go-testdata/v1/http_1_9_good");
  bytes[16] = '\x3f';  // the first record's type byte: event type 63 does not exist
  auto d = decode(bytes, false);
  REQUIRE(!d.ok);
  CHECK(d.error.find("offset 16") != std::string::npos);
  CHECK(d.error.find("unknown event type 63") != std::string::npos);
  CHECK(d.error.find("record 0") != std::string::npos);
}

TEST_CASE("v1: a frame naming a string the trace lacks is warned about", "[v1]") {
  // The String record at byte 1117 defines id 59 instead of 22: the two frames that name their
  // function by string 22 (stacks 9 and 7, records at bytes 1161 and 2588, decoded by hand) name
  // nothing. Go 1.26's reader panics; their names are empty, and the warning says why.
  std::string bytes = read_file(source_dir() / "corpus/go-testdata/v1/http_1_11_good");
  REQUIRE(bytes[1118] == '\x16');
  bytes[1118] = '\x3b';
  const auto d = decode(bytes, false);
  REQUIRE(d.ok);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].starts_with("2 stack frames name their function or file by a string the trace does not contain"));
  CHECK(decode(read_file(source_dir() / "corpus/go-testdata/v1/http_1_11_good"), false).warnings.empty());
}
