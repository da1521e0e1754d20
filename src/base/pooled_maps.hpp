// Many small maps from a 32-bit key to an int64 value (say, a goroutine's blocked time by reason),
// each a linked list of entries in one shared pool. An object that holds a few maps of a few
// entries keeps one 32-bit handle per map instead of a heap block per map; released entries are
// reused. Lookups are linear: meant for maps of a handful of keys.
#pragma once

#include <cstdint>

#include "base/chunked_vector.hpp"

namespace gtanalyze::base {

class PooledMaps {
 public:
  using Map = std::uint32_t;  // a map's handle: the index of its first entry; 0 is the empty map

  PooledMaps() { entries_.emplace_back(); }  // entry 0 ends the lists

  // Like std::map::operator[]: the value of `key` in `map`, inserted as 0 if absent. The
  // reference stays valid until that entry is erased (the pool's chunks never move).
  std::int64_t& operator()(Map& map, std::uint32_t key) {
    if (std::int64_t* v = find(map, key)) return *v;
    return insert(map, key);
  }
  // The value of `key`, or nullptr.
  std::int64_t* find(Map map, std::uint32_t key) {
    for (std::uint32_t i = map; i != 0; i = entries_[i].next)
      if (entries_[i].key == key) return &entries_[i].value;
    return nullptr;
  }
  void erase(Map& map, std::uint32_t key) {
    for (std::uint32_t* link = &map; *link != 0; link = &entries_[*link].next) {
      const std::uint32_t i = *link;
      if (entries_[i].key == key) {
        *link = entries_[i].next;
        release(i);
        return;
      }
    }
  }
  void clear(Map& map) {
    while (map != 0) {
      const std::uint32_t i = map;
      map = entries_[i].next;
      release(i);
    }
  }
  // A new map with the entries of `map`.
  Map copy(Map map) {
    Map out = 0;
    for (std::uint32_t i = map; i != 0; i = entries_[i].next) insert(out, entries_[i].key) = entries_[i].value;
    return out;
  }
  // f(key, value) for each entry, the latest inserted first.
  template <class F>
  void for_each(Map map, F&& f) const {
    for (std::uint32_t i = map; i != 0; i = entries_[i].next) f(entries_[i].key, entries_[i].value);
  }

 private:
  struct Entry {
    std::uint32_t key = 0;
    std::uint32_t next = 0;  // the next entry of the same map; 0 at the end
    std::int64_t value = 0;
  };
  std::int64_t& insert(Map& map, std::uint32_t key) {
    std::uint32_t i = free_;
    if (i != 0) {
      free_ = entries_[i].next;
    } else {
      i = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    }
    entries_[i] = Entry{key, map, 0};
    map = i;
    return entries_[i].value;
  }
  void release(std::uint32_t i) {
    entries_[i].next = free_;
    free_ = i;
  }

  ChunkedVector<Entry> entries_;
  std::uint32_t free_ = 0;  // the first of the released entries, chained by `next`
};

}  // namespace gtanalyze::base
