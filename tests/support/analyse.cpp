// The whole pipeline for tests, in one place.
#include "support/analyse.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>

#include "analysis/summarizer.hpp"
#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "report/json.hpp"

namespace gtanalyze::test {

std::filesystem::path source_dir() { return GTANALYZE_SOURCE_DIR; }

std::filesystem::path trace_of_json_golden(const std::filesystem::path& golden) {
  const std::string dir = golden.parent_path().filename().string();
  const std::string name = golden.stem().string();
  if (dir == "go-testdata") return source_dir() / "corpus/go-testdata/v1" / name;
  if (dir == "go-testdata-v2") return source_dir() / "tests/golden/v2/go-testdata" / (name + ".trace");
  return source_dir() / "corpus" / dir / (name + ".trace");
}

Summary analyse(const std::filesystem::path& path, const LeakOptions& leaks,
                const std::function<void(analysis::Summarizer&)>& setup, analysis::GoroutineSink* sink) {
  const std::filesystem::path full = path.is_absolute() ? path : source_dir() / path;
  auto source = ByteSource::open(full.string());
  if (!source) FAIL(full.string() << ": " << source.error().describe());
  auto reader = TraceReader::open(**source);
  if (!reader) FAIL(full.string() << ": " << reader.error().describe());
  analysis::Summarizer summarizer(leaks);
  if (setup) setup(summarizer);
  Event event;
  for (;;) {
    auto more = (*reader)->next(event);
    if (!more) FAIL(full.string() << ": " << more.error().describe());
    if (!*more) break;
    summarizer.on_event(event);
  }
  return summarizer.finish((*reader)->version(), (*reader)->warnings(), sink);
}

nlohmann::json analyse_json(const std::filesystem::path& path, const LeakOptions& leaks) {
  return nlohmann::json::parse(report::to_json(analyse(path, leaks)));
}

std::string analyse_json_streamed(const std::filesystem::path& path) {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  report::JsonStream json([file] { return file; });
  const Summary summary = analyse(path, {}, {}, &json);
  CHECK(summary.goroutines.empty());  // all went to the stream
  CHECK(json.finish(summary));
  std::string text(static_cast<std::size_t>(std::ftell(file)), '\0');
  std::rewind(file);
  CHECK(std::fread(text.data(), 1, text.size(), file) == text.size());
  std::fclose(file);
  return text;
}

}  // namespace gtanalyze::test
