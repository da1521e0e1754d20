// The members of the JSON export's objects, written by --json and by the NDJSON tables of
// `export` alike, so that a goroutine, region, task or log is the same text in both.
#pragma once

#include "analysis/summarizer.hpp"
#include "gtanalyze/summary.hpp"
#include "report/json_writer.hpp"

namespace gtanalyze::report {

// A goroutine's members (times relative to the summary's first event); its regions only when given.
void goroutine_members(JsonWriter& w, const Summary& s, const GoroutineSummary& g, analysis::RegionSource* regions);
void region_members(JsonWriter& w, const RegionSummary& r, Time first);
// A task's members; its logs only when asked.
void task_members(JsonWriter& w, const Summary& s, const TaskSummary& t, bool with_logs);
void log_members(JsonWriter& w, const LogEntry& l, Time first);

}  // namespace gtanalyze::report
