// Everything the collector learns about a Go executable before attaching: its Go version
// (.go.buildinfo), build id, the runtime functions to probe and where (symtab or pclntab, with
// the first cheap-to-trap instruction), and the runtime.g / runtime.m member offsets (DWARF,
// else the per-version table, else a refusal that says why).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/elf_file.hpp"
#include "collector/pclntab.hpp"
#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

// Member offsets the BPF program reads. 0 in g_parent_goid means "no such field" (Go 1.19).
struct RuntimeOffsets {
  std::uint32_t g_m = 0, g_atomicstatus = 0, g_goid = 0, g_waitreason = 0, g_parent_goid = 0;
  std::uint32_t g_gopc = 0, g_startpc = 0;
  std::uint32_t m_curg = 0, m_procid = 0, m_block_reason = 0;  // waitTraceBlockReason / waittraceev
  bool operator==(const RuntimeOffsets&) const = default;
};

// The per-version fallback table (verified against the DWARF of each toolchain by the tests).
std::optional<RuntimeOffsets> table_offsets(unsigned minor);

// The Go version string in .go.buildinfo ("go1.23.5"); "" when absent.
std::string read_go_version(const ElfFile& elf);
// 23 for "go1.23.5" (also "go1.23rc1", "go1.23"); 0 when unparsable.
unsigned go_minor(const std::string& version);

// Where to put a uprobe for one runtime function.
struct ProbePoint {
  std::string function;
  std::uint64_t entry = 0;        // function entry (virtual address)
  std::uint64_t attach = 0;       // the instruction probed (virtual address)
  std::uint64_t file_offset = 0;  // of `attach`, what uprobe attachment wants
  // The kernel emulates the probed instruction (push/jcc: ~1 µs) rather than single-stepping it
  // out of line (~12 µs here).
  bool emulated = false;
  std::string note;  // how the attach point was chosen
};

// Picks the attach point in a Go amd64 prologue: entry when it is `push rbp`; after the stack
// check `cmp rsp|r12, 16(r14); jbe` the `push rbp` that follows (runs once per real call), else
// the jbe; otherwise the entry (single-stepped). `code` holds the first bytes of the function.
ProbePoint choose_attach_point(std::string_view code, std::uint64_t entry);

class GoBinary {
 public:
  static Result<std::unique_ptr<GoBinary>> open(const std::string& path);

  const ElfFile& elf() const { return *elf_; }
  const Pclntab& pclntab() const { return *pclntab_; }
  const std::string& path() const { return elf_->path(); }
  const std::string& go_version() const { return go_version_; }
  unsigned minor() const { return minor_; }
  std::string build_id() const { return elf_->build_id(); }
  bool has_symtab() const { return !elf_->symbols().empty(); }
  const RuntimeOffsets& offsets() const { return offsets_; }
  const std::string& offsets_source() const { return offsets_source_; }  // "DWARF" or "table go1.N"
  // Runtime function entry: .symtab first, then pclntab.
  std::optional<std::uint64_t> function(const std::string& name) const;
  Result<ProbePoint> probe_point(const std::string& name) const;

  // A data symbol's address (.symtab only), e.g. runtime.allgs.
  std::optional<std::uint64_t> data_symbol(const std::string& name) const;

 private:
  GoBinary() = default;
  std::unique_ptr<ElfFile> elf_;
  std::unique_ptr<Pclntab> pclntab_;
  std::string go_version_;
  unsigned minor_ = 0;
  RuntimeOffsets offsets_;
  std::string offsets_source_;
};

}  // namespace gtanalyze::collector
