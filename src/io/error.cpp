// Error rendering, shared by every stage.
#include <fmt/format.h>

#include "gtanalyze/error.hpp"

namespace gtanalyze {

std::string Error::describe() const {
  if (generation != 0) return fmt::format("offset {} (generation {}): {}", offset, generation, message);
  return fmt::format("offset {}: {}", offset, message);
}

}  // namespace gtanalyze
