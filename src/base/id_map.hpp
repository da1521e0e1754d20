// Values by goroutine or proc id. The runtime hands out small, dense ids, so they live in a flat
// vector (the hot lookups of the decoder and the analysis); other ids go to a hash map. Entries
// look like a map's pairs and find() returns nullptr for end(), so code reads like map code.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gtanalyze::base {

template <class V>
class IdMap {
 public:
  struct Entry {
    std::int64_t first = 0;
    V second{};
    bool present = false;
  };

  Entry* end() const { return nullptr; }
  Entry* find(std::int64_t id) {
    if (static_cast<std::uint64_t>(id) < dense_size_) {
      Entry& e = dense_[static_cast<std::size_t>(id)];
      return e.present ? &e : nullptr;
    }
    return sparse_.empty() ? nullptr : find_sparse(id);
  }
  const Entry* find(std::int64_t id) const { return const_cast<IdMap*>(this)->find(id); }
  // Like map::emplace: {entry, inserted}. May move the dense entries: found pointers die.
  std::pair<Entry*, bool> emplace(std::int64_t id, V value = V{}) {
    const auto u = static_cast<std::uint64_t>(id);
    // The flat vector grows only in proportion to the entries held: sized by the id alone, one
    // 100-byte trace naming goroutine 4194000 allocated 370 MB (tests/fuzz/regressions).
    if (u >= dense_.size() && u < kDenseLimit && u < 16 * (count_ + 4096)) grow(u);
    Entry* e = u < dense_.size() ? &dense_[static_cast<std::size_t>(u)] : &sparse_[id];
    if (e->present) return {e, false};
    e->first = id;
    e->second = std::move(value);
    e->present = true;
    count_++;
    return {e, true};
  }
  V& operator[](std::int64_t id) { return emplace(id).first->second; }
  [[nodiscard]] std::size_t size() const { return count_; }
  void erase(Entry* e) {
    count_--;
    if (e >= dense_.data() && e < dense_.data() + dense_.size()) {
      *e = Entry{};
    } else {
      sparse_.erase(e->first);
    }
  }
  void erase(std::int64_t id) {
    if (Entry* e = find(id)) erase(e);
  }
  // Every entry present, dense ones by id first, then the others in no order.
  template <class F>
  void for_each(F f) {
    for (Entry& e : dense_)
      if (e.present) f(e);
    for (auto& [id, e] : sparse_) f(e);
  }
  template <class F>
  void for_each(F f) const {
    const_cast<IdMap*>(this)->for_each([&f](const Entry& e) { f(e); });
  }

 private:
  Entry* find_sparse(std::int64_t id) {
    auto it = sparse_.find(id);
    return it == sparse_.end() ? nullptr : &it->second;
  }
  // find() looks for ids below dense_.size() in dense_ only, so growing moves them out of sparse_.
  void grow(std::uint64_t id) {
    dense_.resize(std::min<std::size_t>(kDenseLimit, std::max<std::size_t>(id + 1, dense_.size() * 2)));
    dense_size_ = dense_.size();
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      const auto u = static_cast<std::uint64_t>(it->first);
      if (u < dense_.size()) {
        dense_[static_cast<std::size_t>(u)] = std::move(it->second);
        it = sparse_.erase(it);
      } else {
        ++it;
      }
    }
  }
  static constexpr std::uint64_t kDenseLimit = 1 << 22;
  std::size_t count_ = 0;  // entries present, dense and sparse
  std::vector<Entry> dense_;
  // dense_.size(), kept: computing it divides by the entry size (callgrind --json: +2.7% instructions
  // on go1.26-100M, +2.4% on go1.21-15M).
  std::size_t dense_size_ = 0;
  std::unordered_map<std::int64_t, Entry> sparse_;
};

}  // namespace gtanalyze::base
