// Builds the collector's test program with each installed Go toolchain (plain, stripped, PIE
// stripped) once per test run, into a temporary directory. Missing toolchains are reported so the
// tests can skip them with a clear message.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gtanalyze::collector::testing {

inline const std::vector<unsigned>& go_minors() {
  static const std::vector<unsigned> v = {19, 21, 22, 23, 24, 25, 26};
  return v;
}

inline std::string go_tool(unsigned minor) { return "/usr/lib/go-1." + std::to_string(minor) + "/bin/go"; }

enum class Build { Plain, Stripped, PieStripped };

// The built binary, or nullopt when the toolchain is not installed (or the build failed; the
// reason is in `why`).
inline std::optional<std::string> built_testprog(unsigned minor, Build b, std::string* why = nullptr) {
  namespace fs = std::filesystem;
  static std::map<std::pair<unsigned, int>, std::optional<std::string>> built;
  auto key = std::make_pair(minor, static_cast<int>(b));
  if (auto it = built.find(key); it != built.end()) return it->second;
  if (!fs::exists(go_tool(minor))) {
    if (why) *why = "Go 1." + std::to_string(minor) + " toolchain not installed (" + go_tool(minor) + ")";
    return built[key] = std::nullopt;
  }
  static const fs::path dir = [] {
    auto d = fs::temp_directory_path() / ("gtanalyze-collector-test-" + std::to_string(::getpid()));
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fs::temp_directory_path() / ("gtanalyze-collector-test-" + std::to_string(::getpid())), ec);
    });
    fs::create_directories(d);
    return d;
  }();
  const char* names[] = {"plain", "stripped", "pie"};
  const fs::path out = dir / ("tp1." + std::to_string(minor) + "-" + names[static_cast<int>(b)]);
  std::string flags = b == Build::Plain      ? ""
                      : b == Build::Stripped ? "-ldflags='-s -w'"
                                             : "-buildmode=pie -ldflags='-s -w'";
  const std::string src = std::string(GTANALYZE_SOURCE_DIR) + "/tools/collector/testprog/main.go";
  // A cache that outlives the run: the standard library is compiled once per toolchain.
  const char* env_cache = std::getenv("GOCACHE");
  const std::string cache =
      env_cache && *env_cache ? env_cache : (fs::temp_directory_path() / "gtanalyze-go-cache").string();
  const std::string cmd = "cd " + dir.string() + " && GOTOOLCHAIN=local GOFLAGS= GOCACHE=" + cache + " " +
                          go_tool(minor) + " build " + flags + " -o " + out.string() + " " + src + " >" + out.string() +
                          ".log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    if (why) *why = "go build failed: see " + out.string() + ".log";
    return built[key] = std::nullopt;
  }
  return built[key] = out.string();
}

}  // namespace gtanalyze::collector::testing
