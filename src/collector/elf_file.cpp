// ELF64 parsing by bounded copies (never casts into the file), zlib for compressed sections.
#include "collector/elf_file.hpp"

#include <elf.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace gtanalyze::collector {
namespace {

template <class T>
bool read_at(std::string_view bytes, std::uint64_t off, T& out) {
  if (off > bytes.size() || bytes.size() - off < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + off, sizeof(T));
  return true;
}

Error elf_error(const std::string& path, const std::string& what) {
  return make_error(ErrorCode::Corrupt, 0, path + ": " + what);
}

Result<std::string> inflate_all(std::string_view in, std::uint64_t expect, const std::string& what) {
  if (expect > (std::uint64_t{1} << 32)) return make_error(ErrorCode::Limit, 0, what + ": decompressed size too large");
  std::string out(expect, '\0');
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return make_error(ErrorCode::Io, 0, what + ": zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const auto produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != expect) {
    return make_error(ErrorCode::Corrupt, 0, what + ": zlib data does not inflate to the announced size");
  }
  return out;
}

// The section table, names resolved through the section-name table; a section whose bytes lie
// outside the file is an error (SHT_NOBITS sections have none).
Result<std::vector<ElfSection>> read_sections(std::string_view b, const Elf64_Ehdr& eh, const std::string& path) {
  std::vector<Elf64_Shdr> shdrs(eh.e_shnum);
  for (unsigned i = 0; i < eh.e_shnum; i++) {
    if (!read_at(b, eh.e_shoff + std::uint64_t{i} * eh.e_shentsize, shdrs[i]))
      return elf_error(path, "truncated section headers");
  }
  std::string_view shstr;
  if (eh.e_shstrndx < shdrs.size()) {
    const auto& s = shdrs[eh.e_shstrndx];
    if (s.sh_offset <= b.size() && s.sh_size <= b.size() - s.sh_offset) shstr = b.substr(s.sh_offset, s.sh_size);
  }
  std::vector<ElfSection> sections;
  for (const auto& s : shdrs) {
    ElfSection sec;
    if (s.sh_name < shstr.size()) sec.name = std::string(shstr.substr(s.sh_name).data());
    sec.type = s.sh_type;
    sec.flags = s.sh_flags;
    sec.addr = s.sh_addr;
    sec.offset = s.sh_offset;
    sec.size = s.sh_type == SHT_NOBITS ? 0 : s.sh_size;
    sec.link = s.sh_link;
    sec.entsize = s.sh_entsize;
    if (sec.size && (sec.offset > b.size() || sec.size > b.size() - sec.offset)) {
      return elf_error(path, "section " + sec.name + " lies outside the file");
    }
    sections.push_back(std::move(sec));
  }
  return sections;
}

}  // namespace

Result<std::unique_ptr<ElfFile>> ElfFile::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(ErrorCode::Io, 0, path + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::Io, 0, path + ": not a program: not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, 0, path + ": cannot open: " + std::strerror(errno));
  // One read of the known size: a byte-at-a-time stream copy was a third of `collect`'s start-up.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return make_error(ErrorCode::Io, 0, path + ": cannot read its size");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    return make_error(ErrorCode::Io, 0, path + ": cannot read");
  return from_bytes(std::move(bytes), path);
}

Result<std::unique_ptr<ElfFile>> ElfFile::from_bytes(std::string bytes, std::string name) {
  std::unique_ptr<ElfFile> f(new ElfFile());
  f->path_ = std::move(name);
  f->bytes_ = std::move(bytes);
  GTA_TRY(f->parse());
  return f;
}

Status ElfFile::parse() {
  std::string_view b = bytes_;
  Elf64_Ehdr eh;
  if (!read_at(b, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    return make_error(ErrorCode::NotATrace, 0, path_ + ": not an ELF file");
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    return elf_error(path_, "only 64-bit little-endian ELF is supported");
  }
  type_ = eh.e_type;
  machine_ = eh.e_machine;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (!read_at(b, eh.e_phoff + std::uint64_t{i} * eh.e_phentsize, ph))
      return elf_error(path_, "truncated program headers");
    if (ph.p_type == PT_LOAD) segments_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz});
  }
  auto sections = read_sections(b, eh, path_);
  if (!sections) return sections.error();
  sections_ = std::move(*sections);
  // Symbols.
  for (const auto& sec : sections_) {
    if (sec.type != SHT_SYMTAB || sec.link >= sections_.size()) continue;
    std::string_view data = raw(sec), strtab = raw(sections_[sec.link]);
    for (std::uint64_t off = 0; off + sizeof(Elf64_Sym) <= data.size(); off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      read_at(data, off, sym);
      if (sym.st_name == 0 || sym.st_name >= strtab.size()) continue;
      symbols_.push_back({std::string(strtab.substr(sym.st_name).data()), sym.st_value, sym.st_size,
                          static_cast<std::uint8_t>(ELF64_ST_TYPE(sym.st_info))});
    }
  }
  for (std::size_t i = 0; i < symbols_.size(); i++) symbol_index_.emplace(symbols_[i].name, i);
  // Relative relocations (PIE): the loader writes base + addend into the target word.
  for (const auto& sec : sections_) {
    if (sec.type != SHT_RELA) continue;
    std::string_view data = raw(sec);
    for (std::uint64_t off = 0; off + sizeof(Elf64_Rela) <= data.size(); off += sizeof(Elf64_Rela)) {
      Elf64_Rela r;
      read_at(data, off, r);
      if (ELF64_R_TYPE(r.r_info) == R_X86_64_RELATIVE) relative_[r.r_offset] = static_cast<std::uint64_t>(r.r_addend);
    }
  }
  return {};
}

const ElfSection* ElfFile::section(std::string_view name) const {
  for (const auto& s : sections_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string_view ElfFile::raw(const ElfSection& s) const { return std::string_view(bytes_).substr(s.offset, s.size); }

Result<std::string_view> ElfFile::section_data(std::string_view name) const {
  const ElfSection* s = section(name);
  bool zdebug = false;
  if (!s && name.substr(0, 7) == ".debug_") {
    s = section(".zdebug_" + std::string(name.substr(7)));
    zdebug = s != nullptr;
  }
  if (!s) return std::string_view{};
  std::string_view data = raw(*s);
  const std::string what = path_ + ": section " + s->name;
  if (!zdebug && !(s->flags & SHF_COMPRESSED)) return data;
  if (auto it = decompressed_.find(s->name); it != decompressed_.end()) return std::string_view(it->second);
  Result<std::string> out = std::string();
  if (zdebug) {
    // "ZLIB" + 8-byte big-endian size (the pre-1.12 Go and old GNU form).
    if (data.size() < 12 || data.substr(0, 4) != "ZLIB") return elf_error(path_, s->name + ": bad .zdebug header");
    std::uint64_t size = 0;
    for (int i = 4; i < 12; i++) size = size << 8 | static_cast<unsigned char>(data[static_cast<std::size_t>(i)]);
    out = inflate_all(data.substr(12), size, what);
  } else {
    Elf64_Chdr ch;
    if (!read_at(data, 0, ch)) return elf_error(path_, s->name + ": truncated compression header");
    if (ch.ch_type != ELFCOMPRESS_ZLIB)
      return elf_error(path_, s->name + ": unsupported compression type " + std::to_string(ch.ch_type));
    out = inflate_all(data.substr(sizeof(Elf64_Chdr)), ch.ch_size, what);
  }
  if (!out) return out.error();
  auto [it, _] = decompressed_.emplace(s->name, std::move(*out));
  return std::string_view(it->second);
}

const ElfSymbol* ElfFile::symbol(std::string_view name) const {
  auto it = symbol_index_.find(name);
  return it == symbol_index_.end() ? nullptr : &symbols_[it->second];
}

std::optional<std::uint64_t> ElfFile::file_offset(std::uint64_t vaddr) const {
  for (const auto& seg : segments_) {
    if (vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.filesz) return vaddr - seg.vaddr + seg.offset;
  }
  return std::nullopt;
}

std::optional<std::string_view> ElfFile::bytes_at(std::uint64_t vaddr, std::uint64_t n) const {
  for (const auto& seg : segments_) {
    if (vaddr >= seg.vaddr && vaddr - seg.vaddr <= seg.filesz && n <= seg.filesz - (vaddr - seg.vaddr)) {
      const std::uint64_t off = vaddr - seg.vaddr + seg.offset;
      if (off > bytes_.size() || n > bytes_.size() - off) return std::nullopt;
      return std::string_view(bytes_).substr(off, n);
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ElfFile::word_at(std::uint64_t vaddr) const {
  if (auto it = relative_.find(vaddr); it != relative_.end()) return it->second;
  auto b = bytes_at(vaddr, 8);
  if (!b) return std::nullopt;
  std::uint64_t v;
  std::memcpy(&v, b->data(), 8);
  return v;
}

std::vector<std::uint64_t> ElfFile::words_equal_to(std::uint64_t value) const {
  std::vector<std::uint64_t> out;
  for (const auto& [at, addend] : relative_) {
    if (addend == value) out.push_back(at);
  }
  // Writable data sections (moduledata lives in .noptrdata / .go.module).
  for (const auto& s : sections_) {
    if (s.type != SHT_PROGBITS || !(s.flags & SHF_WRITE) || !(s.flags & SHF_ALLOC)) continue;
    std::string_view d = raw(s);
    for (std::uint64_t off = 0; off + 8 <= d.size(); off += 8) {
      std::uint64_t v;
      std::memcpy(&v, d.data() + off, 8);
      if (v == value) out.push_back(s.addr + off);
    }
  }
  return out;
}

std::string ElfFile::build_id() const {
  auto note_desc = [&](const char* sec_name, std::uint32_t want_type) -> std::optional<std::string_view> {
    const ElfSection* s = section(sec_name);
    if (!s) return std::nullopt;
    std::string_view d = raw(*s);
    Elf64_Nhdr nh;
    if (!read_at(d, 0, nh)) return std::nullopt;
    const std::uint64_t desc_off = sizeof(nh) + ((nh.n_namesz + 3u) & ~3u);
    if (nh.n_type != want_type || desc_off > d.size() || nh.n_descsz > d.size() - desc_off) return std::nullopt;
    return d.substr(desc_off, nh.n_descsz);
  };
  if (auto go = note_desc(".note.go.buildid", 4)) return std::string(*go);
  if (auto gnu = note_desc(".note.gnu.build-id", NT_GNU_BUILD_ID)) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : *gnu) {
      out += hex[c >> 4];
      out += hex[c & 15];
    }
    return out;
  }
  return {};
}

}  // namespace gtanalyze::collector
