// TraceReader::open: reads the header once and picks the decoder for its version, so nothing
// downstream ever asks which format it reads.
#include "gtanalyze/reader.hpp"

#include <algorithm>

#include "gtanalyze/trace_header.hpp"
#include "parser/v1/v1_reader.hpp"
#include "parser/v2/v2_reader.hpp"

namespace gtanalyze {

Result<std::unique_ptr<TraceReader>> TraceReader::open(ByteSource& source) {
  auto version = read_trace_header(source);
  if (!version) return version.error();
  if (is_generational(*version)) return parser::v2::make_v2_reader(source, *version);
  return parser::make_v1_reader(source, *version);
}

Result<EventBatch> TraceReader::next_batch() {
  constexpr std::size_t kBatchEvents = 256;
  if (batch_error_) {
    Error e = std::move(*batch_error_);
    batch_error_.reset();
    return e;
  }
  batch_.resize(kBatchEvents + 1);
  std::size_t n = 0;
  EventBatch batch;
  if (holds_next_) {
    // Read by the last call; it is still the event last returned, so pin_tables() is its own.
    batch_[0] = batch_.back();
    holds_next_ = false;
    batch.tables = pin_tables();
    n = 1;
  }
  while (n < kBatchEvents) {
    auto more = next(batch_[n]);
    if (!more) {
      if (n == 0) return std::move(more).error();
      batch_error_ = std::move(more).error();
      break;
    }
    if (!*more) break;
    if (n == 0) batch.tables = pin_tables();
    if (batch_[n].tables != batch_[0].tables) {
      // Another generation's tables: the first event of the next batch.
      batch_.back() = batch_[n];
      holds_next_ = true;
      break;
    }
    n++;
  }
  batch.events = std::span<const Event>(batch_.data(), n);
  return batch;
}

Result<EventBatch> TraceReader::next_batch(std::vector<Event>& storage) {
  auto batch = next_batch();
  if (!batch) return batch;
  if (storage.size() < batch->events.size()) storage.resize(batch->events.size());
  std::copy(batch->events.begin(), batch->events.end(), storage.begin());
  batch->events = std::span<const Event>(storage.data(), batch->events.size());
  return batch;
}

}  // namespace gtanalyze
