// The v2 reader's cursors: one per M, over the runs of events the feed decodes, and Go's frontier
// heap of them (batchcursor.go), ordered by each cursor's next timestamp. Header-only: the reader
// updates the heap once per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "parser/v2/event_feed.hpp"
#include "parser/v2/ordering.hpp"

namespace gtanalyze::parser::v2 {

// One M's events in a generation, as the feed decodes them: the head event is *pos.
struct BatchCursor {
  ThreadId m = kNoThread;
  std::uint32_t stream = 0;  // the M's index in the generation (EventFeed::next_run)
  MState* state = nullptr;   // the ordering's state of m, cached after the first advance
  RawEvent* pos = nullptr;   // the current run of events, [pos, end)
  RawEvent* end = nullptr;
  EventRun::Then then = EventRun::Then::More;

  enum class Read : std::uint8_t { Event, End, Failed };

  // Moves to the next event: there is one, the M's events ended, or its next one is broken.
  Read next(EventFeed& feed) {
    if (++pos != end) return Read::Event;
    return refill(feed);
  }
  // Reads the next run when the current one is consumed.
  Read refill(EventFeed& feed) {
    while (then == EventRun::Then::More) {
      const EventRun run = feed.next_run(stream);
      pos = run.begin;
      end = run.end;
      then = run.then;
      if (pos != end) return Read::Event;
    }
    return then == EventRun::Then::End ? Read::End : Read::Failed;
  }
};

// Go's frontier heap (batchcursor.go): a binary min-heap on the head event's time with strict
// comparisons, so equal times keep Go's tie order. Each entry keeps its cursor's head time beside
// the pointer, so that comparisons read the heap's own array rather than chase the cursors.
struct FrontierEntry {
  Time time = 0;
  BatchCursor* cursor = nullptr;
};
using Frontier = std::vector<FrontierEntry>;

inline std::size_t sift_up(Frontier& h, std::size_t i) {
  while (i > 0 && h[(i - 1) / 2].time > h[i].time) {
    std::swap(h[(i - 1) / 2], h[i]);
    i = (i - 1) / 2;
  }
  return i;
}

inline std::size_t min3(const Frontier& h, std::size_t i0, std::size_t i1, std::size_t i2) {
  std::size_t min_idx = i0;
  Time min_t = INT64_MAX;
  if (i0 < h.size()) min_t = h[i0].time;
  if (i1 < h.size() && h[i1].time < min_t) {
    min_t = h[i1].time;
    min_idx = i1;
  }
  if (i2 < h.size() && h[i2].time < min_t) min_idx = i2;
  return min_idx;
}

inline void sift_down(Frontier& h, std::size_t i) {
  for (;;) {
    const std::size_t m = min3(h, i, 2 * i + 1, 2 * i + 2);
    if (m == i) return;
    std::swap(h[i], h[m]);
    i = m;
  }
}

inline void heap_insert(Frontier& h, BatchCursor* c) {
  h.push_back(FrontierEntry{c->pos->time, c});
  sift_up(h, h.size() - 1);
}

// Entry i's cursor has a new head event: restore the heap order.
inline void heap_update(Frontier& h, std::size_t i) {
  const Time t = h[i].cursor->pos->time;
  h[i].time = t;
  // The usual case: the earliest cursor's next event is still no later than its children's,
  // which sift_down would find after the same two comparisons.
  if (i == 0) {
    const std::size_t n = h.size();
    if ((n < 2 || t <= h[1].time) && (n < 3 || t <= h[2].time)) return;
    sift_down(h, 0);
    return;
  }
  if (sift_up(h, i) != i) return;
  sift_down(h, i);
}

inline void heap_remove(Frontier& h, std::size_t i) {
  while (i > 0) {
    std::swap(h[(i - 1) / 2], h[i]);
    i = (i - 1) / 2;
  }
  std::swap(h[0], h.back());
  h.pop_back();
  sift_down(h, 0);
}

}  // namespace gtanalyze::parser::v2
