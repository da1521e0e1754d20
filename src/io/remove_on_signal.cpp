// Files unlinked when a signal ends the process (see remove_on_signal.hpp).
#include "io/remove_on_signal.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

namespace gtanalyze::io {
namespace {

constexpr std::size_t kSlots = 256;
constexpr std::size_t kMaxPath = 4096;
enum SlotState : int { kFree, kFilling, kArmed };

// Fixed storage: the handler may only read memory that no other thread frees under it.
struct Slot {
  std::atomic<int> state{kFree};
  std::array<char, kMaxPath> path{};
};
std::array<Slot, kSlots> g_slots;

extern "C" void remove_and_reraise(int sig) {
  for (Slot& s : g_slots) {
    if (s.state.load(std::memory_order_acquire) == kArmed) ::unlink(s.path.data());  // async-signal-safe
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

void remove_on_signal_install() {
  struct sigaction sa {};
  sa.sa_handler = remove_and_reraise;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

RemoveOnSignal::RemoveOnSignal(const std::string& path) {
  if (path.empty() || path.size() >= kMaxPath) return;
  for (std::size_t i = 0; i < kSlots; i++) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acq_rel)) continue;
    std::memcpy(g_slots[i].path.data(), path.c_str(), path.size() + 1);
    g_slots[i].state.store(kArmed, std::memory_order_release);
    slot_ = static_cast<int>(i);
    return;
  }
}

RemoveOnSignal& RemoveOnSignal::operator=(RemoveOnSignal&& o) noexcept {
  if (this != &o) {
    release();
    slot_ = o.slot_;
    o.slot_ = -1;
  }
  return *this;
}

void RemoveOnSignal::release() {
  if (slot_ < 0) return;
  g_slots[static_cast<std::size_t>(slot_)].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

}  // namespace gtanalyze::io
