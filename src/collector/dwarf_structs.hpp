// The struct layouts the collector needs (runtime.g, runtime.m, …), read from a Go binary's
// DWARF: only DW_TAG_structure_type and the DW_AT_data_member_location of its members. Handles
// DWARF 4 and 5 (Go 1.25 switched), compressed sections through ElfFile.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "collector/elf_file.hpp"
#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

struct StructLayout {
  std::uint64_t size = 0;
  std::map<std::string, std::uint64_t> members;  // name → byte offset
};

// Layouts of the named structs that the DWARF describes (missing names are simply absent). An
// empty map with no error means the binary has no DWARF (stripped).
Result<std::map<std::string, StructLayout>> read_struct_layouts(const ElfFile& elf, const std::set<std::string>& names);

}  // namespace gtanalyze::collector
