// Go's fuzz corpus files ("go test fuzz v1" then one Go literal per line, here a single
// []byte("…") with strconv.Quote escapes): the bytes they hold, to replay them as seeds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gtanalyze::fuzz {

// The payload of a one-argument []byte corpus file; nothing if the file is not one.
std::optional<std::string> decode_go_fuzz_file(std::string_view file);

}  // namespace gtanalyze::fuzz
