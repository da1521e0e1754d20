// Go's function table (.gopclntab, Go 1.18+ layout): function entries and names, file:line of a
// pc, and FUNCDATA_WrapInfo (the function a `go` statement wrapper calls), all of which survive
// `-ldflags=-s -w` and PIE. textStart and the funcdata base come from runtime.firstmoduledata,
// found as the word that points at the table (relocations applied).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/elf_file.hpp"
#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

struct FuncInfo {
  std::uint64_t entry = 0;  // virtual address
  std::string_view name;
};

struct SourcePos {
  std::string_view file;
  std::uint64_t line = 0;
};

// A function's name as the Go 1.21+ runtime prints it (runtime.funcNameForPrint), and so as its
// tracer reports it: the type arguments of a generic function's instantiation, from the first '['
// to the last ']', read "[...]" (main.f[go.shape.int] is main.f[...]). Unchanged without them.
std::string name_for_print(std::string_view symbol);

class Pclntab {
 public:
  // Parses the table of `elf` (which must outlive it). Go 1.18–1.26 layouts.
  static Result<std::unique_ptr<Pclntab>> open(const ElfFile& elf);

  std::size_t size() const { return funcs_.size(); }
  std::uint64_t text_start() const { return text_start_; }
  // The function containing pc, if any.
  std::optional<FuncInfo> find(std::uint64_t pc) const;
  // The function named exactly `name`.
  std::optional<FuncInfo> lookup(std::string_view name) const;
  // What the tracer reports as a goroutine's start: the wrapped function when `entry` is a
  // compiler-generated `go` wrapper (FUNCDATA_WrapInfo), else `entry` itself.
  std::uint64_t unwrap_start(std::uint64_t entry) const;
  // File and line of pc (as the runtime's funcline1).
  std::optional<SourcePos> source_pos(std::uint64_t pc) const;
  // Whether runtime.firstmoduledata was found (needed for unwrap_start).
  bool has_moduledata() const { return gofunc_ != 0; }

 private:
  explicit Pclntab(const ElfFile& elf) : elf_(elf) {}
  Status parse();
  std::optional<std::uint32_t> u32(std::uint64_t off) const;  // offset in the table
  std::string_view cstr(std::uint64_t off) const;
  std::optional<std::int64_t> pcvalue(std::uint64_t func_off, std::uint32_t table_off, std::uint64_t pc) const;
  std::size_t func_index(std::uint64_t pc) const;  // functab index, or size() when none

  struct Func {
    std::uint64_t entry;
    std::uint32_t func_off;
  };
  const ElfFile& elf_;
  std::string_view tab_;
  std::uint64_t tab_addr_ = 0;
  bool go120_ = false;
  std::uint64_t text_start_ = 0, gofunc_ = 0, end_ = 0;
  std::uint64_t funcname_ = 0, cu_ = 0, filetab_ = 0, pctab_ = 0, pcln_ = 0;
  std::vector<Func> funcs_;  // ascending entry
  mutable std::unordered_map<std::string_view, std::size_t> by_name_;
};

}  // namespace gtanalyze::collector
