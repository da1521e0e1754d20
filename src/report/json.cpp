// Renders a Summary as the gtanalyze/v1 JSON document: integer nanoseconds, times relative to
// the first event, goroutines by id, sorted keys, zero map entries omitted.
#include "report/json.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace gtanalyze::report {
namespace {

using nlohmann::json;

std::string state_name(GoState s) {
  std::string name(go_state_name(s));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

json stack_json(const Summary& summary, std::uint32_t id) {
  json frames = json::array();
  if (id < summary.stacks.size()) {
    for (const FrameInfo& f : summary.stacks[id]) frames.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}});
  }
  return frames;
}

json non_zero(const std::map<std::string, Duration>& m) {
  json out = json::object();
  for (const auto& [k, v] : m)
    if (v != 0) out[k] = v;
  return out;
}

json latency_json(const LatencyStats& l) {
  return {{"count", l.count}, {"p50_ns", l.p50}, {"p90_ns", l.p90}, {"p99_ns", l.p99}, {"max_ns", l.max}};
}

}  // namespace

std::string to_json(const Summary& s) {
  auto rel = [&](Time t) -> json { return t == 0 ? json(nullptr) : json(t - s.first); };
  json doc;
  doc["schema"] = kJsonSchema;
  doc["trace"] = {{"go_version", version_name(s.version)},
                  {"events", s.events},
                  {"duration_ns", s.last - s.first},
                  {"goroutines", s.goroutines.size()},
                  {"warnings", s.warnings}};
  json goroutines = json::array();
  for (const GoroutineSummary& g : s.goroutines) {
    goroutines.push_back({{"id", g.id},
                          {"name", g.name},
                          {"creation_ns", g.creation - s.first},
                          {"start_ns", rel(g.start)},
                          {"end_ns", rel(g.end)},
                          {"exec_ns", g.exec},
                          {"sched_wait_ns", g.sched_wait},
                          {"syscall_ns", g.syscall},
                          {"syscall_block_ns", g.syscall_block},
                          {"block_ns_by_reason", non_zero(g.block_by_reason)},
                          {"block_ns", g.block()},
                          {"range_ns", non_zero(g.range_time)},
                          {"gc_ns", g.gc()},
                          {"unknown_ns", g.unknown()},
                          {"total_ns", g.total},
                          {"final_state", state_name(g.final_state)},
                          {"final_reason", g.final_reason}});
  }
  doc["goroutines"] = std::move(goroutines);

  json leaks = json::array();
  for (const LeakCandidate& c : s.leak_candidates) {
    leaks.push_back({{"id", c.id},
                     {"name", c.name},
                     {"reason", c.reason},
                     {"blocked_ns", c.blocked},
                     {"create_stack", stack_json(s, c.create_stack)},
                     {"block_stack", stack_json(s, c.block_stack)}});
  }
  doc["leak_candidates"] = std::move(leaks);
  json leak_groups = json::array();
  for (const LeakGroup& g : s.leak_groups) {
    leak_groups.push_back({{"name", g.name},
                           {"reason", g.reason},
                           {"count", g.count},
                           {"min_blocked_ns", g.min_blocked},
                           {"max_blocked_ns", g.max_blocked},
                           {"ids", g.ids},
                           {"create_stack", stack_json(s, g.create_stack)},
                           {"block_stack", stack_json(s, g.block_stack)}});
  }
  doc["leak_groups"] = std::move(leak_groups);

  json groups = json::array();
  for (const GroupSummary& g : s.groups) {
    groups.push_back({{"name", g.name},
                      {"count", g.count},
                      {"exec_ns", g.exec},
                      {"sched_wait_ns", g.sched_wait},
                      {"block_ns", g.block},
                      {"syscall_ns", g.syscall},
                      {"syscall_block_ns", g.syscall_block},
                      {"gc_ns", g.gc},
                      {"unknown_ns", g.unknown},
                      {"total_ns", g.total},
                      {"exec_min_ns", g.exec_min},
                      {"exec_median_ns", g.exec_median},
                      {"exec_max_ns", g.exec_max},
                      {"total_min_ns", g.total_min},
                      {"total_median_ns", g.total_median},
                      {"total_max_ns", g.total_max},
                      {"sched_latency", latency_json(g.sched_latency)}});
  }
  doc["groups"] = std::move(groups);
  doc["sched_latency"] = latency_json(s.sched_latency);
  json by_kind = json::object();
  for (const auto& [kind, k] : s.gc.stw_by_kind) by_kind[kind] = {{"count", k.count}, {"total_ns", k.total}, {"max_ns", k.max}};
  doc["gc"] = {{"cycles", s.gc.cycles},
               {"stw_count", s.gc.stw_count},
               {"stw_ns", s.gc.stw_total},
               {"stw_max_ns", s.gc.stw_max},
               {"stw_by_kind", std::move(by_kind)}};
  // Names come from the trace: invalid UTF-8 is replaced, never fatal.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gtanalyze::report
