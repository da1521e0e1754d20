// Compares two gtanalyze/v1 documents: flattens each into named metrics, matches leak groups by
// site, evaluates the --fail-on rules, and renders the result as text, markdown or JSON.
#include "report/diff.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "report/text.hpp"

namespace gtanalyze::report {
namespace {

using nlohmann::json;

struct Figure {
  double value = 0;
  bool duration = false;
};
using Figures = std::map<std::string, Figure>;

double number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The site of a stack for matching and display: its innermost frame outside the runtime and sync
// packages (else the innermost one), as "function (file:line)"; `key` omits the line.
std::string site(const json& stack, bool key) {
  if (!stack.is_array() || stack.empty()) return "(unknown)";
  const json* pick = &stack.front();
  for (const json& f : stack) {
    const std::string fn = f.value("function", "");
    if (fn.rfind("runtime.", 0) != 0 && fn.rfind("sync.", 0) != 0 && fn.rfind("internal/", 0) != 0) {
      pick = &f;
      break;
    }
  }
  const std::string fn = pick->value("function", "");
  if (key) return fn;
  return fmt::format("{} ({}:{})", fn, pick->value("file", ""), pick->value("line", 0));
}

struct LeakKeyed {
  std::uint64_t count = 0;
  std::string name, reason, create_site, block_site;
};

std::map<std::string, LeakKeyed> leak_groups_by_site(const json& doc) {
  std::map<std::string, LeakKeyed> out;
  for (const json& g : doc.value("leak_groups", json::array())) {
    const std::string create_key = g["create_stack"].is_array() && !g["create_stack"].empty()
                                       ? g["create_stack"].front().value("function", "")
                                       : "";
    const std::string key = g.value("reason", "") + "|" + g.value("name", "") + "|" + create_key + "|" + site(g["block_stack"], true);
    LeakKeyed& k = out[key];
    k.count += g.value("count", std::uint64_t{0});
    k.name = g.value("name", "");
    k.reason = g.value("reason", "");
    k.create_site = g["create_stack"].is_array() && !g["create_stack"].empty()
                        ? fmt::format("{} ({}:{})", create_key, g["create_stack"].front().value("file", ""),
                                      g["create_stack"].front().value("line", 0))
                        : "(before the trace)";
    k.block_site = site(g["block_stack"], false);
  }
  return out;
}

Figures figures(const json& doc) {
  Figures f;
  const json& trace = doc.value("trace", json::object());
  f["goroutines"] = {number(trace, "goroutines"), false};
  f["events"] = {number(trace, "events"), false};
  f["duration_ns"] = {number(trace, "duration_ns"), true};
  const json& lat = doc.value("sched_latency", json::object());
  for (const char* p : {"p50_ns", "p90_ns", "p99_ns", "max_ns"}) f[std::string("sched_latency.") + p] = {number(lat, p), true};
  const json& gc = doc.value("gc", json::object());
  f["gc.cycles"] = {number(gc, "cycles"), false};
  f["gc.stw_count"] = {number(gc, "stw_count"), false};
  f["gc.stw_ns"] = {number(gc, "stw_ns"), true};
  f["gc.stw_max_ns"] = {number(gc, "stw_max_ns"), true};
  f["leaks"] = {static_cast<double>(doc.value("leak_candidates", json::array()).size()), false};
  f["leak_groups"] = {static_cast<double>(doc.value("leak_groups", json::array()).size()), false};
  for (const json& g : doc.value("groups", json::array())) {
    const std::string prefix = "group[" + g.value("name", "") + "].";
    f[prefix + "count"] = {number(g, "count"), false};
    for (const char* k : {"exec_ns", "sched_wait_ns", "block_ns", "syscall_ns", "syscall_block_ns", "gc_ns", "total_ns"})
      f[prefix + k] = {number(g, k), true};
    f[prefix + "sched_latency.p99_ns"] = {number(g.value("sched_latency", json::object()), "p99_ns"), true};
  }
  return f;
}

// Metric names in rules may leave out the "_ns" suffix of durations.
std::string canonical_metric(const std::string& name, const Figures& known) {
  if (known.count(name) || name == "new-leaks" || name == "gone-leaks") return name;
  if (known.count(name + "_ns")) return name + "_ns";
  return name;
}

bool compare(double a, const std::string& op, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  return a <= b;
}

std::string show(double v, bool duration) {
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  if (duration) return human_duration(static_cast<Duration>(std::llround(v)));
  return fmt::format("{}", static_cast<long long>(std::llround(v)));
}

std::string show_delta(const MetricChange& m) {
  const double d = m.delta();
  std::string abs = (d > 0 ? "+" : d < 0 ? "-" : "±") + show(std::fabs(d), m.duration);
  const double r = m.relative();
  if (std::isinf(r)) return abs + " (new)";
  return fmt::format("{} ({:+.1f}%)", abs, r);
}

bool is_group_metric(const std::string& name) { return name.rfind("group[", 0) == 0; }

}  // namespace

double MetricChange::relative() const {
  if (base == 0) return next == 0 ? 0.0 : (next > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
  return (next - base) / std::fabs(base) * 100.0;
}

bool DiffReport::regression() const {
  for (const auto& r : rules)
    if (r.broken) return true;
  return false;
}

Result<Rule> parse_rule(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Corrupt, 0, fmt::format("--fail-on '{}': {}", text, why));
  };
  Rule rule;
  rule.text = text;
  // The metric may hold '[' … ']' with any characters (a group name); the operator follows it.
  std::size_t i = 0, depth = 0;
  for (; i < text.size(); i++) {
    if (text[i] == '[') depth++;
    if (text[i] == ']' && depth > 0) depth--;
    if (depth == 0 && (text[i] == '>' || text[i] == '<')) break;
  }
  if (i == text.size()) return bad("expected METRIC>VALUE, METRIC>=VALUE, METRIC<VALUE or METRIC<=VALUE");
  rule.metric = text.substr(0, i);
  while (!rule.metric.empty() && rule.metric.back() == ' ') rule.metric.pop_back();
  if (rule.metric.empty()) return bad("no metric before the comparison");
  rule.op = text.substr(i, i + 1 < text.size() && text[i + 1] == '=' ? 2 : 1);
  std::string value = text.substr(i + rule.op.size());
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  if (value.empty()) return bad("no value after the comparison");
  if (value.front() == '+' || value.front() == '-') rule.mode = Rule::Mode::Delta;
  std::size_t used = 0;
  try {
    rule.threshold = std::stod(value, &used);
  } catch (...) {
    return bad("the value '" + value + "' is not a number");
  }
  std::string unit = value.substr(used);
  if (unit == "%") {
    rule.mode = Rule::Mode::Percent;
  } else if (unit == "ns" || unit.empty()) {
  } else if (unit == "us" || unit == "µs") {
    rule.threshold *= 1e3;
  } else if (unit == "ms") {
    rule.threshold *= 1e6;
  } else if (unit == "s") {
    rule.threshold *= 1e9;
  } else {
    return bad("unknown unit '" + unit + "' (use %, ns, us, ms or s)");
  }
  static const std::set<std::string> kTop = {"goroutines", "events", "duration", "leaks", "leak_groups", "new-leaks", "gone-leaks",
                                             "sched_latency.p50", "sched_latency.p90", "sched_latency.p99", "sched_latency.max",
                                             "gc.cycles", "gc.stw_count", "gc.stw", "gc.stw_max"};
  std::string bare = rule.metric;
  if (bare.size() > 3 && bare.compare(bare.size() - 3, 3, "_ns") == 0) bare.resize(bare.size() - 3);
  if (!kTop.count(bare) && !is_group_metric(rule.metric)) {
    return bad("unknown metric '" + rule.metric +
               "' (known: goroutines, events, duration, leaks, leak_groups, new-leaks, gone-leaks, sched_latency.p50|p90|p99|max, "
               "gc.cycles, gc.stw_count, gc.stw, gc.stw_max, group[FUNCTION].count|exec|sched_wait|block|syscall|syscall_block|gc|total|sched_latency.p99)");
  }
  if (is_group_metric(rule.metric) && rule.metric.find("].") == std::string::npos) {
    return bad("a group metric needs a field, e.g. group[main.worker].block_ns");
  }
  return rule;
}

DiffReport diff(const json& base, const json& next, const DiffOptions& options) {
  DiffReport report;
  const Figures fb = figures(base), fn = figures(next);
  std::set<std::string> names;
  for (const auto& [k, v] : fb) names.insert(k);
  for (const auto& [k, v] : fn) names.insert(k);
  for (const std::string& name : names) {
    MetricChange m;
    m.name = name;
    auto b = fb.find(name), n = fn.find(name);
    m.base = b != fb.end() ? b->second.value : 0;
    m.next = n != fn.end() ? n->second.value : 0;
    m.duration = (b != fb.end() ? b->second : n->second).duration;
    const double floor = m.duration ? options.floor_ns : options.floor_count;
    m.shown = std::fabs(m.delta()) >= floor && std::fabs(m.relative()) >= options.floor_percent;
    report.metrics.push_back(m);
  }

  // Leak groups matched by site.
  const auto lb = leak_groups_by_site(base), ln = leak_groups_by_site(next);
  double new_leaks = 0, gone_leaks = 0;
  std::set<std::string> keys;
  for (const auto& [k, v] : lb) keys.insert(k);
  for (const auto& [k, v] : ln) keys.insert(k);
  for (const std::string& key : keys) {
    auto b = lb.find(key), n = ln.find(key);
    const LeakKeyed& any = n != ln.end() ? n->second : b->second;
    LeakChange c{"", any.name, any.reason, any.create_site, any.block_site, b != lb.end() ? b->second.count : 0,
                 n != ln.end() ? n->second.count : 0};
    if (c.base_count == 0) {
      c.kind = "new";
    } else if (c.next_count == 0) {
      c.kind = "gone";
    } else if (c.next_count > c.base_count) {
      c.kind = "grown";
    } else if (c.next_count < c.base_count) {
      c.kind = "shrunk";
    } else {
      c.kind = "same";
    }
    if (c.next_count > c.base_count) new_leaks += static_cast<double>(c.next_count - c.base_count);
    if (c.base_count > c.next_count) gone_leaks += static_cast<double>(c.base_count - c.next_count);
    report.leaks.push_back(std::move(c));
  }

  for (const Rule& rule : options.rules) {
    RuleResult r;
    r.rule = rule;
    const std::string metric = canonical_metric(rule.metric, fb.count(rule.metric) ? fb : fn);
    if (metric == "new-leaks" || metric == "gone-leaks") {
      r.base = 0;
      r.next = metric == "new-leaks" ? new_leaks : gone_leaks;
    } else {
      auto b = fb.find(metric), n = fn.find(metric);
      r.base = b != fb.end() ? b->second.value : 0;
      r.next = n != fn.end() ? n->second.value : 0;
    }
    auto known = fb.find(metric);
    if (known == fb.end()) known = fn.find(metric);
    const bool duration = known != fn.end() && known->second.duration;
    MetricChange m{metric, r.base, r.next, duration, false};
    // A change below the noise floor is no change, for rules as for the listing.
    const bool noise = std::fabs(m.delta()) < (duration ? options.floor_ns : options.floor_count);
    switch (rule.mode) {
      case Rule::Mode::Value: r.measured = r.next; break;
      case Rule::Mode::Delta: r.measured = noise ? 0 : m.delta(); break;
      case Rule::Mode::Percent: r.measured = noise ? 0 : m.relative(); break;
    }
    r.broken = compare(r.measured, rule.op, rule.threshold);
    report.rules.push_back(r);
  }
  return report;
}

namespace {

std::string rule_line(const RuleResult& r) {
  const bool duration = r.rule.metric.find("_ns") != std::string::npos || r.rule.metric.find("sched_latency") != std::string::npos ||
                        r.rule.metric == "duration" || (r.rule.metric.rfind("gc.stw", 0) == 0 && r.rule.metric != "gc.stw_count");
  std::string measured;
  switch (r.rule.mode) {
    case Rule::Mode::Value: measured = show(r.next, duration); break;
    case Rule::Mode::Delta: measured = fmt::format("changed by {}", show(r.measured, duration)); break;
    case Rule::Mode::Percent: measured = std::isinf(r.measured) ? "changed from 0" : fmt::format("changed by {:+.1f}%", r.measured); break;
  }
  return fmt::format("{}: {} is {} (base {}, new {})", r.rule.text, r.rule.metric, measured, show(r.base, duration), show(r.next, duration));
}

}  // namespace

std::string diff_text(const DiffReport& report) {
  std::string out = fmt::format("base  {}\nnew   {}\n\n", report.base_name, report.next_name);
  std::size_t shown = 0;
  out += fmt::format("{:<48} {:>12} {:>12}  {}\n", "metric", "base", "new", "change");
  for (const auto& m : report.metrics) {
    if (!m.shown) continue;
    shown++;
    std::string name = m.name.size() > 48 ? "…" + m.name.substr(m.name.size() - 47) : m.name;
    out += fmt::format("{:<48} {:>12} {:>12}  {}\n", name, show(m.base, m.duration), show(m.next, m.duration), show_delta(m));
  }
  if (shown == 0) out += "(no change above the noise floors)\n";
  out += "\nleak groups\n";
  std::size_t leak_lines = 0;
  for (const auto& l : report.leaks) {
    if (l.kind == "same") continue;
    leak_lines++;
    out += fmt::format("  {:<7} {} → {} × {}   {}\n          created at {}\n          blocked at {}\n", l.kind, l.base_count, l.next_count,
                       l.reason, l.name, l.create_site, l.block_site);
  }
  if (leak_lines == 0) out += "  (no change)\n";
  if (!report.rules.empty()) {
    out += "\nrules\n";
    for (const auto& r : report.rules) out += fmt::format("  {:<6} {}\n", r.broken ? "BROKEN" : "ok", rule_line(r));
  }
  return out;
}

std::string diff_markdown(const DiffReport& report) {
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '|') out += "\\|";
      else out += c;
    }
    return out;
  };
  std::string out = fmt::format("### gtanalyze diff\n\n`{}` → `{}`\n\n", cell(report.base_name), cell(report.next_name));
  out += "| metric | base | new | change |\n|---|---:|---:|---:|\n";
  std::size_t shown = 0;
  for (const auto& m : report.metrics) {
    if (!m.shown) continue;
    shown++;
    out += fmt::format("| `{}` | {} | {} | {} |\n", cell(m.name), show(m.base, m.duration), show(m.next, m.duration), show_delta(m));
  }
  if (shown == 0) out += "| (no change above the noise floors) | | | |\n";
  out += "\n**Leak groups**\n\n";
  std::size_t leak_lines = 0;
  for (const auto& l : report.leaks) {
    if (l.kind == "same") continue;
    if (leak_lines++ == 0) out += "| change | count | reason | start function | created at | blocked at |\n|---|---:|---|---|---|---|\n";
    out += fmt::format("| {} | {} → {} | {} | `{}` | `{}` | `{}` |\n", l.kind, l.base_count, l.next_count, cell(l.reason), cell(l.name),
                       cell(l.create_site), cell(l.block_site));
  }
  if (leak_lines == 0) out += "No change.\n";
  if (!report.rules.empty()) {
    out += "\n**Rules**\n\n";
    for (const auto& r : report.rules) out += fmt::format("- {} {}\n", r.broken ? ":x: **broken**" : ":white_check_mark: ok", cell(rule_line(r)));
  }
  return out;
}

std::string diff_json(const DiffReport& report) {
  json doc;
  doc["schema"] = "gtanalyze-diff/v1";
  doc["base"] = report.base_name;
  doc["new"] = report.next_name;
  json metrics = json::array();
  for (const auto& m : report.metrics) {
    json rel = std::isinf(m.relative()) ? json(nullptr) : json(m.relative());
    metrics.push_back({{"name", m.name}, {"base", m.base}, {"new", m.next}, {"delta", m.delta()}, {"relative_percent", rel}, {"shown", m.shown}});
  }
  doc["metrics"] = std::move(metrics);
  json leaks = json::array();
  for (const auto& l : report.leaks) {
    leaks.push_back({{"change", l.kind}, {"name", l.name}, {"reason", l.reason}, {"create_site", l.create_site}, {"block_site", l.block_site},
                     {"base_count", l.base_count}, {"new_count", l.next_count}});
  }
  doc["leak_groups"] = std::move(leaks);
  json rules = json::array();
  for (const auto& r : report.rules) {
    rules.push_back({{"rule", r.rule.text}, {"broken", r.broken}, {"base", r.base}, {"new", r.next},
                     {"measured", std::isinf(r.measured) ? json(nullptr) : json(r.measured)}});
  }
  doc["rules"] = std::move(rules);
  doc["regression"] = report.regression();
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gtanalyze::report
