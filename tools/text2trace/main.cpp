// gtanalyze-text2trace: converts a Go text trace, or a Go .test case file, into a binary trace
// (the same bytes Go's raw.Writer produces).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "parser/text_trace.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: gtanalyze-text2trace IN.test|IN.txt OUT.trace\n";
    return 2;
  }
  const std::string in_path = argv[1];
  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    std::cerr << in_path << ": cannot open\n";
    return 1;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  // A .test file is a txtar archive; its "trace" member holds the text trace.
  if (in_path.size() >= 5 && in_path.compare(in_path.size() - 5, 5, ".test") == 0) {
    auto test = gtanalyze::parser::parse_trace_test(text);
    if (!test) {
      std::cerr << in_path << ": " << test.error().message << "\n";
      return 1;
    }
    text = std::move(test->trace_text);
  }
  auto bytes = gtanalyze::parser::text_trace_to_binary(text);
  if (!bytes) {
    std::cerr << in_path << ": " << bytes.error().message << "\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out) {
    std::cerr << argv[2] << ": write failed\n";
    return 1;
  }
  return 0;
}
