// The user annotations of the timeline (docs/perfetto.md, "User annotations"): runtime/trace
// tasks, regions and logs. Each task is a track of its own under its parent task's (or the
// `Tasks` group), with one slice from its begin to its end; a goroutine's regions are slices on a
// `regions` track under the goroutine's, nested as they nest; logs are instants on their task's
// track, or on the goroutine's regions track when the task is not drawn. Like the rest of the
// timeline, it keeps what is open and draws only inside the window.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gtanalyze/event.hpp"
#include "report/perfetto_writer.hpp"

namespace gtanalyze::report {

// What the first pass learns: the tasks and regions that ended without having begun in the
// trace. They were open when it started, so they are drawn from the start.
struct AnnotationPlan {
  struct OpenTask {
    TaskId id = 0;
    std::string name;  // its type
  };
  struct OpenRegion {
    GoId g = 0;
    std::string name;  // its type
  };
  std::vector<OpenTask> open_tasks;      // in the order of their ends
  std::vector<OpenRegion> open_regions;  // in the order of their ends: innermost first on a goroutine
  // A TaskBegin, TaskEnd, RegionBegin or RegionEnd event (others are ignored).
  void on_event(const Event& ev);
  void goroutine_ended(GoId g);

 private:
  std::unordered_map<GoId, std::uint32_t> depth_;  // regions begun and not yet ended
  std::unordered_map<TaskId, bool> begun_;
};

class AnnotationTracks {
 public:
  // The uuid of goroutine g's track, described if need be; 0 when g is not drawn.
  using GoroutineTrack = std::function<std::uint64_t(GoId)>;
  // Track uuids come from `next_uuid`, shared with the rest of the timeline.
  AnnotationTracks(const AnnotationPlan& plan, PerfettoWriter& out, std::uint64_t& next_uuid,
                   GoroutineTrack goroutine_track);

  // A TaskBegin, TaskEnd, RegionBegin, RegionEnd or Log event.
  void on_event(const Event& ev);
  // Goroutine g is gone: its regions end with it, as in Go's summary.
  void goroutine_ended(GoId g, Time t);
  // The window: what is open is drawn from `t`, or ends at `t`.
  void open_window(Time t);
  void close_window(Time t);

 private:
  struct Task {
    TaskId parent = kNoTask;
    std::uint64_t name = 0;  // an event name id
    std::uint64_t uuid = 0;  // 0 until described
    bool open = false;
    bool from_start = false;  // its end came before any begin: drawn from the trace's start
    // ... and has ended: a begin after that end (threads' clocks apart; Go's summary gives the task
    // a negative duration) does not draw it a second time.
    bool ended_from_start = false;
    bool on_chain = false;  // in task_track()'s chain of ancestors being described
  };
  struct Regions {
    std::vector<std::uint64_t> names;  // the open regions' event names, outermost first
    std::uint64_t uuid = 0;            // the goroutine's regions track, 0 until described
  };
  Task& task(TaskId id, std::string_view type);
  std::uint64_t task_track(TaskId id);
  std::uint64_t regions_track(GoId g, Regions& r);
  void region_end(GoId g, std::string_view type, Time t);
  void end_regions(Regions& r, std::size_t from, Time t);
  std::uint64_t slice_name(std::string_view type);

  PerfettoWriter& out_;
  std::uint64_t& next_uuid_;
  GoroutineTrack goroutine_track_;
  bool window_open_ = false;
  std::uint64_t tasks_group_ = 0;
  // Ordered maps: the window opens and closes them in a fixed order, so the output is the same
  // from run to run.
  std::map<TaskId, Task> tasks_;
  std::map<GoId, Regions> regions_;
};

}  // namespace gtanalyze::report
