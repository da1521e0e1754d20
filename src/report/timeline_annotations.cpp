// Tasks, regions and logs on the timeline (timeline_annotations.hpp).
#include "report/timeline_annotations.hpp"

#include <algorithm>
#include <utility>

namespace gtanalyze::report {

void AnnotationPlan::on_event(const Event& ev) {
  switch (ev.kind()) {
    case EventKind::TaskBegin: begun_[ev.task().id] = true; break;
    case EventKind::TaskEnd: {
      const Task t = ev.task();
      if (begun_.try_emplace(t.id, false).second) open_tasks.push_back(OpenTask{t.id, std::string(t.type)});
      break;
    }
    case EventKind::RegionBegin: depth_[ev.g]++; break;
    case EventKind::RegionEnd: {
      std::uint32_t& depth = depth_[ev.g];
      if (depth > 0)
        depth--;
      else
        open_regions.push_back(OpenRegion{ev.g, std::string(ev.region().type)});
      break;
    }
    default: break;
  }
}

// A goroutine's regions end with it; an id used again starts with none.
void AnnotationPlan::goroutine_ended(GoId g) {
  if (!depth_.empty()) depth_.erase(g);
}

AnnotationTracks::AnnotationTracks(const AnnotationPlan& plan, PerfettoWriter& out, std::uint64_t& next_uuid,
                                   GoroutineTrack goroutine_track)
    : out_(out), next_uuid_(next_uuid), goroutine_track_(std::move(goroutine_track)) {
  for (const auto& open : plan.open_tasks) {
    Task& t = task(open.id, open.name);
    t.open = true;
    t.from_start = true;
  }
  // Ended innermost first, so each goes under the ones already there.
  for (const auto& open : plan.open_regions) {
    auto& names = regions_[open.g].names;
    names.insert(names.begin(), slice_name(open.name));
  }
}

std::uint64_t AnnotationTracks::slice_name(std::string_view type) {
  return out_.event_name(type.empty() ? "(unnamed)" : type);
}

AnnotationTracks::Task& AnnotationTracks::task(TaskId id, std::string_view type) {
  auto [it, inserted] = tasks_.try_emplace(id);
  if (inserted || (it->second.name == 0 && !type.empty())) it->second.name = slice_name(type);
  return it->second;
}

// A task's track, described the first time it is needed, after its ancestors' (a parent's track
// before its child's). Walked up without recursion: a trace may nest tasks deeply, or name a task
// among its own ancestors (Go's runtime never writes that; its parser accepts it): the walk then
// stops at the repeat, and the topmost task of the chain goes under the Tasks group.
std::uint64_t AnnotationTracks::task_track(TaskId id) {
  if (const std::uint64_t uuid = tasks_.at(id).uuid; uuid != 0) return uuid;
  std::vector<TaskId> chain;  // id and its undescribed ancestors, innermost first
  std::uint64_t parent = 0;   // the track of the nearest described ancestor, if any
  for (TaskId at = id;;) {
    Task& t = tasks_.at(at);
    t.on_chain = true;
    chain.push_back(at);
    const auto up = t.parent == kNoTask || t.parent == 0 ? tasks_.end() : tasks_.find(t.parent);
    if (up == tasks_.end() || up->second.on_chain) break;
    if (up->second.uuid != 0) {
      parent = up->second.uuid;
      break;
    }
    at = up->first;
  }
  if (parent == 0) {
    if (tasks_group_ == 0) {
      tasks_group_ = next_uuid_++;
      out_.track(tasks_group_, "Tasks");
    }
    parent = tasks_group_;
  }
  for (auto at = chain.rbegin(); at != chain.rend(); ++at) {
    Task& t = tasks_.at(*at);
    t.on_chain = false;
    t.uuid = next_uuid_++;
    out_.track(t.uuid, "task " + std::to_string(*at), parent);
    parent = t.uuid;
  }
  return parent;
}

std::uint64_t AnnotationTracks::regions_track(GoId g, Regions& r) {
  if (r.uuid != 0) return r.uuid;
  const std::uint64_t parent = goroutine_track_(g);
  if (parent == 0) return 0;
  r.uuid = next_uuid_++;
  out_.track(r.uuid, "regions", parent);
  return r.uuid;
}

void AnnotationTracks::on_event(const Event& ev) {
  switch (ev.kind()) {
    case EventKind::TaskBegin: {
      const gtanalyze::Task info = ev.task();
      Task& t = task(info.id, info.type);
      if (t.open || t.ended_from_start) break;
      t.open = true;
      if (t.uuid == 0) t.parent = info.parent;
      if (window_open_) out_.begin(ev.time, SliceStart{task_track(info.id), t.name});
      break;
    }
    case EventKind::TaskEnd: {
      auto it = tasks_.find(ev.task().id);
      if (it == tasks_.end() || !it->second.open) break;
      it->second.open = false;
      it->second.ended_from_start = it->second.from_start;
      if (window_open_) out_.end(ev.time, task_track(it->first));
      break;
    }
    case EventKind::RegionBegin: {
      Regions& r = regions_[ev.g];
      r.names.push_back(slice_name(ev.region().type));
      if (window_open_) {
        if (const std::uint64_t track = regions_track(ev.g, r)) out_.begin(ev.time, SliceStart{track, r.names.back()});
      }
      break;
    }
    case EventKind::RegionEnd: region_end(ev.g, ev.region().type, ev.time); break;
    case EventKind::Log: {
      if (!window_open_) break;
      const Log log = ev.log();
      std::uint64_t track = 0;
      if (auto it = tasks_.find(log.task); log.task != 0 && it != tasks_.end()) {
        track = task_track(log.task);
      } else {
        track = regions_track(ev.g, regions_[ev.g]);
      }
      if (track == 0) break;
      const std::string name =
          log.category.empty() ? std::string(log.message) : std::string(log.category) + ": " + std::string(log.message);
      out_.instant(ev.time, track, name, 0);
      break;
    }
    default: break;
  }
}

// A region ends: the innermost open one of its type. Regions inside it (ended out of order) are
// cut there and go on after it, so that the track's slices stay nested.
void AnnotationTracks::region_end(GoId g, std::string_view type, Time t) {
  auto it = regions_.find(g);
  if (it == regions_.end()) return;
  Regions& r = it->second;
  const std::uint64_t name = slice_name(type);
  auto found = std::find(r.names.rbegin(), r.names.rend(), name);
  if (found == r.names.rend()) return;
  const auto at = static_cast<std::size_t>(r.names.rend() - found) - 1;
  const std::vector<std::uint64_t> inside(r.names.begin() + static_cast<std::ptrdiff_t>(at) + 1, r.names.end());
  end_regions(r, at, t);
  for (std::uint64_t n : inside) {
    r.names.push_back(n);
    if (window_open_ && r.uuid != 0) out_.begin(t, SliceStart{r.uuid, n});
  }
}

// Ends the open regions from index `from` up, innermost first.
void AnnotationTracks::end_regions(Regions& r, std::size_t from, Time t) {
  while (r.names.size() > from) {
    if (window_open_ && r.uuid != 0) out_.end(t, r.uuid);
    r.names.pop_back();
  }
}

void AnnotationTracks::goroutine_ended(GoId g, Time t) {
  auto it = regions_.find(g);
  if (it == regions_.end()) return;
  end_regions(it->second, 0, t);
  regions_.erase(it);
}

void AnnotationTracks::open_window(Time t) {
  window_open_ = true;
  for (auto& [id, task] : tasks_)
    if (task.open) out_.begin(t, SliceStart{task_track(id), task.name});
  for (auto& [g, r] : regions_) {
    if (r.names.empty()) continue;
    const std::uint64_t track = regions_track(g, r);
    if (track == 0) continue;
    for (std::uint64_t name : r.names) out_.begin(t, SliceStart{track, name});
  }
}

void AnnotationTracks::close_window(Time t) {
  if (!window_open_) return;
  for (auto& [g, r] : regions_)
    if (r.uuid != 0)
      for (std::size_t n = r.names.size(); n > 0; n--) out_.end(t, r.uuid);
  for (auto& [id, task] : tasks_)
    if (task.open) out_.end(t, task_track(id));
  window_open_ = false;
}

}  // namespace gtanalyze::report
