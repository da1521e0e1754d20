// ProtoWriter against libprotozero's writer: the same bytes for every kind of field, and for
// submessages whose length needs one byte, two or three (those moved to make room).
#include "report/proto_buffer.hpp"

#include <catch2/catch_test_macros.hpp>
#include <protozero/pbf_writer.hpp>
#include <string>
#include <vector>

using gtanalyze::report::ProtoBuffer;
using gtanalyze::report::ProtoWriter;

TEST_CASE("ProtoWriter writes what protozero writes") {
  for (const std::size_t length : {0, 1, 127, 128, 300, 16383, 16384, 70000}) {
    INFO("a string of " << length << " bytes in a submessage in a submessage");
    const std::string text(length, 'x');
    const std::vector<std::uint64_t> packed = {0, 1, 127, 128, UINT64_MAX};

    std::string expected;
    {
      protozero::pbf_writer top(expected);
      top.add_uint64(1, 300);
      protozero::pbf_writer outer(top, 59);
      outer.add_int64(2, -5);
      outer.add_fixed64(47, 0x0102030405060708);
      {
        protozero::pbf_writer inner(outer, 3);
        inner.add_string(23, text);
      }
      outer.add_packed_uint64(4, packed.begin(), packed.end());
    }

    ProtoBuffer buffer;
    ProtoWriter w(buffer, 8 * ProtoWriter::kMaxField + length + packed.size() * ProtoWriter::kMaxVarint);
    w.varint(1, 300);
    char* outer = w.open(59);
    w.int64(2, -5);
    w.fixed64(47, 0x0102030405060708);
    char* inner = w.open(3);
    w.bytes(23, text);
    w.close(inner);
    w.packed_varints(4, packed);
    w.close(outer);
    w.finish();
    CHECK(buffer.view() == expected);
  }
}

TEST_CASE("ProtoWriter keeps nothing until finished") {
  ProtoBuffer buffer;
  { ProtoWriter(buffer, ProtoWriter::kMaxField).varint(1, 1); }
  CHECK(buffer.empty());
}
