// The fuzzing entry points: input framing, the decode loop and the invariants checked on it.
#include "fuzz/entry_points.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "analysis/state_intervals.hpp"
#include "analysis/summarizer.hpp"
#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/reader.hpp"
#include "gtanalyze/trace_header.hpp"
#include "parser/dump.hpp"
#include "parser/text_trace.hpp"
#include "parser/v1/v1_reader.hpp"
#include "report/json.hpp"
#include "report/perfetto_writer.hpp"
#include "report/text.hpp"
#include "report/timeline.hpp"

namespace gtanalyze::fuzz {
namespace {

constexpr std::array kOldVersions = {Version::Go1_5,  Version::Go1_7,  Version::Go1_8,  Version::Go1_9,
                                     Version::Go1_10, Version::Go1_11, Version::Go1_19, Version::Go1_21};
constexpr std::array kNewVersions = {Version::Go1_22, Version::Go1_23, Version::Go1_25, Version::Go1_26};
constexpr std::array kAllVersions = {Version::Go1_5,  Version::Go1_7,  Version::Go1_8,  Version::Go1_9,
                                     Version::Go1_10, Version::Go1_11, Version::Go1_19, Version::Go1_21,
                                     Version::Go1_22, Version::Go1_23, Version::Go1_25, Version::Go1_26};

// Reads `reader` to its end in batches, as the CLI does, into `consume`; the error that stopped
// it, if one did.
template <class F>
std::optional<Error> read_batches(TraceReader& reader, F consume) {
  for (;;) {
    auto batch = reader.next_batch();
    if (!batch) return batch.error();
    if (batch->events.empty()) return std::nullopt;
    consume(batch->events);
  }
}

}  // namespace

void draw_timeline(std::string_view trace) {
  // The output is not looked at: the exporter's checks are its throws, and tests/report/perfetto
  // checks what it writes on real traces.
  static std::FILE* const null = std::fopen("/dev/null", "wb");
  if (null == nullptr) std::abort();
  // One pass over the trace: true if it was read to its end.
  const auto pass = [&](auto consume) {
    auto source = ByteSource::from_memory(trace, "fuzz");
    auto reader = TraceReader::open(*source);
    return reader && !read_batches(**reader, consume);
  };
  report::TimelinePlan plan;
  if (!pass([&](std::span<const Event> events) { plan.on_events(events); })) return;
  report::PerfettoWriter writer(null);
  report::Timeline timeline(std::move(plan), report::TimelineOptions{}, writer);
  if (!pass([&](std::span<const Event> events) { timeline.on_events(events); })) return;
  timeline.finish();
  writer.flush();
}

std::string with_header(std::string_view input, std::span<const Version> versions) {
  if (input.substr(0, 5) == "go 1.") return std::string(input);
  if (input.empty()) return {};
  std::string trace =
      "go 1." + std::to_string(static_cast<unsigned>(versions[static_cast<std::uint8_t>(input[0]) % versions.size()])) +
      " trace";
  trace.resize(kTraceHeaderSize, '\0');
  trace.append(input.substr(1));
  return trace;
}

Outcome decode(std::string_view trace, Consumers consumers, bool read_ahead) {
  const bool analyse = consumers != Consumers::None;
  const bool dump = consumers == Consumers::AnalysisAndDump;
  Outcome o;
  auto source = ByteSource::from_memory(trace, "fuzz");
  auto reader = TraceReader::open(*source);
  if (!reader) return {false, reader.error(), 0, 0};
  if (read_ahead) *reader = gtanalyze::read_ahead(std::move(*reader));
  analysis::Summarizer summarizer;
  // The state intervals of `export`, which follow goroutines through any order the decoder allows.
  analysis::Interning interning;
  std::uint64_t interval_count = 0;
  analysis::StateIntervals intervals(interning, [&](const analysis::StateInterval&) { interval_count++; });
  std::string line;
  const auto consume = [&](const Event& event) {
    o.events++;
    if (analyse) {
      summarizer.on_event(event);
      intervals.on_events({&event, 1});
    }
    if (dump) {
      line.clear();
      parser::append_event(line, event);
    }
  };
  if (analyse) {
    // As the CLI: the analysis takes the events in batches.
    if (auto error = read_batches(**reader, [&](std::span<const Event> events) {
          for (const Event& event : events) consume(event);
        })) {
      o.ok = false;
      o.error = *error;
    }
  } else {
    Event event;
    for (;;) {
      auto more = (*reader)->next(event);
      if (!more) {
        o.ok = false;
        o.error = more.error();
        break;
      }
      if (!*more) break;
      consume(event);
    }
  }
  o.warnings = (*reader)->warnings().size();
  // As the CLI: a summary only of a trace read to its end, its goroutines streamed to the JSON
  // and to the text's digest.
  if (analyse && o.ok) {
    static std::FILE* const null = std::fopen("/dev/null", "w");
    report::JsonStream json([] { return null; });
    report::GoroutineDigest digest;
    struct BothSinks : analysis::GoroutineSink {
      analysis::GoroutineSink& a;
      analysis::GoroutineSink& b;
      BothSinks(analysis::GoroutineSink& first, analysis::GoroutineSink& second) : a(first), b(second) {}
      void begin(const Summary& head) override {
        a.begin(head);
        b.begin(head);
      }
      void goroutine(const Summary& head, const GoroutineSummary& g, analysis::RegionSource& regions) override {
        // One source is read once: both take the regions from a copy.
        std::vector<RegionSummary> kept;
        regions.each([&kept](const RegionSummary& r) { kept.push_back(r); });
        analysis::RegionsOf first(kept), second(kept);
        a.goroutine(head, g, first);
        b.goroutine(head, g, second);
      }
    } both(json, digest);
    const Summary summary = summarizer.finish((*reader)->version(), (*reader)->warnings(), &both);
    (void)json.finish(summary);
    (void)report::to_text(summary, digest, report::TraceInfo{});
    intervals.finish();
  }
  return o;
}

void check(const Outcome& outcome, std::size_t size) {
  if (outcome.ok) return;
  if (outcome.error.message.empty() || outcome.error.offset > size) {
    std::fprintf(stderr, "unclean error (input of %zu bytes): %s\n", size, outcome.error.describe().c_str());
    std::abort();
  }
}

int old_format(std::string_view input) {
  const std::string trace = with_header(input, kOldVersions);
  auto version = parse_trace_header(trace);
  if (!version || is_generational(*version)) return 0;
  // The top bit of the selector byte also runs the Go 1.19-dialect dump (a second consumer of
  // the same index and order, with its own post-processing).
  if (!input.empty() && (static_cast<std::uint8_t>(input[0]) & 0x80) != 0) {
    (void)parser::dump_v1_old_events(trace);
  }
  check(decode(trace, Consumers::None), trace.size());
  return 0;
}

int generational(std::string_view input) {
  const std::string trace = with_header(input, kNewVersions);
  auto version = parse_trace_header(trace);
  if (!version || !is_generational(*version)) return 0;
  check(decode(trace, Consumers::None), trace.size());
  return 0;
}

int text(std::string_view input) {
  // A .test archive (expect + trace) or a bare text trace.
  std::string_view text = input;
  auto test_case = parser::parse_trace_test(input);
  if (test_case) text = test_case->trace_text;
  auto binary = parser::text_trace_to_binary(text);
  if (!binary) return 0;
  // Well-formed wire bytes with arbitrary semantics: the best food for the ordering checks.
  const Outcome outcome = decode(*binary, Consumers::AnalysisAndDump);
  check(outcome, binary->size());
  if (outcome.ok) draw_timeline(*binary);
  return 0;
}

int pipeline(std::string_view input) {
  const std::string trace = with_header(input, kAllVersions);
  const Outcome outcome = decode(trace, Consumers::Analysis, input.size() % 2 == 1);
  check(outcome, trace.size());
  if (outcome.ok) draw_timeline(trace);
  return 0;
}

}  // namespace gtanalyze::fuzz
