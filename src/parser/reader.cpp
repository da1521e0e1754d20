// TraceReader::open: reads the header once and picks the decoder for its version, so nothing
// downstream ever asks which format it reads.
#include "gtanalyze/reader.hpp"

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

}  // namespace gtanalyze
