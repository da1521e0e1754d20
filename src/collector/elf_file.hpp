// A read-only view of an ELF64 little-endian file (the Go binaries we probe): sections with their
// contents decompressed (SHF_COMPRESSED and the old ".zdebug" form), the symbol table, virtual
// address → file offset, and pointer reads that apply R_X86_64_RELATIVE relocations (PIE).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gtanalyze/error.hpp"

namespace gtanalyze::collector {

struct ElfSection {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  std::uint32_t link = 0;
  std::uint64_t entsize = 0;
};

struct ElfSymbol {
  std::string name;
  std::uint64_t value = 0, size = 0;
  std::uint8_t type = 0;  // STT_*
};

class ElfFile {
 public:
  // Reads the whole file. Errors say which file and what is wrong with it.
  static Result<std::unique_ptr<ElfFile>> open(const std::string& path);
  // For tests: an image already in memory.
  static Result<std::unique_ptr<ElfFile>> from_bytes(std::string bytes, std::string name);

  const std::string& path() const { return path_; }
  std::uint16_t type() const { return type_; }        // ET_EXEC, ET_DYN
  std::uint16_t machine() const { return machine_; }  // EM_X86_64
  const std::vector<ElfSection>& sections() const { return sections_; }
  const ElfSection* section(std::string_view name) const;
  // The section's bytes; decompressed when compressed (".debug_x" is also looked up as
  // ".zdebug_x"). Empty when absent.
  Result<std::string_view> section_data(std::string_view name) const;
  // The raw (still compressed) bytes in the file.
  std::string_view raw(const ElfSection& s) const;

  // .symtab (empty on stripped binaries).
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }
  const ElfSymbol* symbol(std::string_view name) const;

  // The file offset of a virtual address (through PT_LOAD), for uprobe attachment.
  std::optional<std::uint64_t> file_offset(std::uint64_t vaddr) const;
  // `n` bytes of the loaded image at vaddr (file-backed part only).
  std::optional<std::string_view> bytes_at(std::uint64_t vaddr, std::uint64_t n) const;
  // A 64-bit word of the image as the loader leaves it: the R_X86_64_RELATIVE addend when one
  // targets the word (PIE images store 0 there), else the file's bytes.
  std::optional<std::uint64_t> word_at(std::uint64_t vaddr) const;
  // Addresses of words that hold (or are relocated to) `value`.
  std::vector<std::uint64_t> words_equal_to(std::uint64_t value) const;

  // The Go build id (.note.go.buildid), else the GNU build id in hex; "" when neither.
  std::string build_id() const;

 private:
  ElfFile() = default;
  Status parse();

  struct Segment {
    std::uint64_t vaddr, offset, filesz;
  };
  std::string path_;
  std::string bytes_;
  std::uint16_t type_ = 0, machine_ = 0;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
  std::unordered_map<std::string_view, std::size_t> symbol_index_;
  std::vector<Segment> segments_;
  std::unordered_map<std::uint64_t, std::uint64_t> relative_;  // target vaddr → addend
  mutable std::unordered_map<std::string, std::string> decompressed_;
};

}  // namespace gtanalyze::collector
