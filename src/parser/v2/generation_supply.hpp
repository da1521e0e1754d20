// Generations as the EventFeed takes them: read on the caller's thread when asked for, or, once
// read_ahead() is called, one generation ahead on a thread of their own. Reading a generation
// (the bytes, their decompression, the string and stack tables) is a fifth of decoding it; ahead,
// it overlaps with the ordering of the generation before, and the thread that orders does only
// that.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "gtanalyze/byte_source.hpp"
#include "gtanalyze/error.hpp"
#include "gtanalyze/version.hpp"
#include "parser/v2/generation.hpp"

namespace gtanalyze::parser::v2 {

class GenerationSupply {
 public:
  GenerationSupply(ByteSource& source, Version version) : reader_(source, version) {}
  GenerationSupply(const GenerationSupply&) = delete;
  GenerationSupply& operator=(const GenerationSupply&) = delete;
  ~GenerationSupply();

  // From now on, reads each generation while the caller works on the one before. At most two
  // are held: the caller's and the one read ahead. Call before the first next().
  void read_ahead();

  // The next generation into `gen`, as GenerationReader::read (which reuses gen's storage; ahead,
  // gen's storage is swapped with the one read ahead and reused for the one after).
  Result<bool> next(Generation& gen);
  // Bytes of the trace stream read when the generation last returned had been read.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }

 private:
  void read_loop();  // the reading thread

  GenerationReader reader_;  // the reading thread's alone once it runs
  std::uint64_t offset_ = 0;
  bool finished_ = false;  // ahead: the end or an error was returned; the thread has stopped

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  // The generation read ahead: the thread's until ready_ holds the result of reading it, then the
  // caller's until it asks for the next.
  Generation ahead_;
  // Guarded by mutex_.
  std::optional<Result<bool>> ready_;
  std::uint64_t ahead_offset_ = 0;
  bool wanted_ = true;  // read the next generation into ahead_
  bool stop_ = false;
};

}  // namespace gtanalyze::parser::v2
