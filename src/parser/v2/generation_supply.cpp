// Reading generations ahead (see generation_supply.hpp).
#include "parser/v2/generation_supply.hpp"

#include <exception>
#include <string>
#include <utility>

namespace gtanalyze::parser::v2 {

GenerationSupply::~GenerationSupply() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();  // after the generation being read, if any
}

void GenerationSupply::read_ahead() {
  if (!thread_.joinable()) thread_ = std::thread([this] { read_loop(); });
}

Result<bool> GenerationSupply::next(Generation& gen) {
  if (!thread_.joinable()) {
    auto r = reader_.read(gen);
    offset_ = reader_.offset();
    return r;
  }
  if (finished_) return false;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ready_.has_value(); });
  Result<bool> r = std::move(*ready_);
  ready_.reset();
  std::swap(gen, ahead_);
  offset_ = ahead_offset_;
  // After the end or an error the reader has nothing more to give: the thread has stopped.
  if (r && *r) {
    wanted_ = true;
    lock.unlock();
    changed_.notify_all();
  } else {
    finished_ = true;
  }
  return r;
}

void GenerationSupply::read_loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || wanted_; });
      if (stop_) return;
      wanted_ = false;
    }
    // ahead_ is the thread's until `ready_` is set: the caller waits for that before touching it.
    std::optional<Result<bool>> r;
    try {
      r = reader_.read(ahead_);
    } catch (const std::exception& ex) {
      // Out of memory, most likely: end the trace with it rather than lose the thread.
      r = make_error(ErrorCode::Limit, reader_.offset(), std::string("reading a generation failed: ") + ex.what());
    }
    const bool more = *r && **r;
    {
      std::lock_guard lock(mutex_);
      ready_ = std::move(r);
      ahead_offset_ = reader_.offset();
    }
    changed_.notify_all();
    if (!more) return;
  }
}

}  // namespace gtanalyze::parser::v2
