// printable(): names from a trace on one line of a terminal.
#include "base/printable.hpp"

#include <catch2/catch_test_macros.hpp>
#include <string>

using gtanalyze::printable;

TEST_CASE("control characters and bytes that are not UTF-8 become escapes; UTF-8 passes") {
  CHECK(printable("main.worker") == "main.worker");
  CHECK(printable("uni ☃ é 𝄞") == "uni ☃ é 𝄞");
  CHECK(printable("ctl\x01\x1f\ttab\nnl\r") == "ctl\\x01\\x1f\\ttab\\nnl\\r");
  CHECK(printable(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(printable("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  CHECK(printable("bad\xff\xfeutf8") == "bad\\xff\\xfeutf8");
  CHECK(printable("\xc2\x9b"
                  "2J") == "\\u009b2J");  // C1 CSI, as UTF-8
  // Overlong, surrogate, beyond U+10FFFF, and cut sequences are not UTF-8.
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(printable("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  CHECK(printable("cut\xe2\x98") == "cut\\xe2\\x98");
}
