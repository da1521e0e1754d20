// Go executable inspection: buildinfo version, offsets (DWARF → table → refuse), probe points.
#include "collector/go_binary.hpp"

#include <elf.h>

#include <cstring>

#include "collector/dwarf_structs.hpp"
#include "collector/leb128.hpp"

namespace gtanalyze::collector {

std::optional<RuntimeOffsets> table_offsets(unsigned minor) {
  // runtime.g and runtime.m per release (amd64), from each toolchain's DWARF; see
  // tests/collector/offsets_test.cpp, which checks every installed toolchain against this.
  //            g.m  status goid  wr  parent gopc startpc | m.curg procid blockreason
  switch (minor) {
    case 19: return RuntimeOffsets{48, 144, 152, 176, 0, 296, 312, 192, 72, 648};
    case 20: return std::nullopt;  // not measured: refuse rather than guess
    case 21: return RuntimeOffsets{48, 144, 152, 176, 272, 280, 296, 192, 72, 648};
    case 22: return RuntimeOffsets{48, 144, 152, 176, 272, 280, 296, 192, 72, 936};
    case 23: return RuntimeOffsets{48, 152, 160, 184, 280, 288, 304, 192, 72, 736};
    case 24: return RuntimeOffsets{48, 152, 160, 184, 280, 288, 304, 192, 72, 736};
    case 25: return RuntimeOffsets{48, 144, 152, 176, 272, 280, 296, 184, 64, 752};
    case 26: return RuntimeOffsets{48, 144, 152, 176, 280, 288, 304, 184, 64, 784};
    default: return std::nullopt;
  }
}

std::string read_go_version(const ElfFile& elf) {
  const ElfSection* s = elf.section(".go.buildinfo");
  if (!s) return {};
  std::string_view d = elf.raw(*s);
  static constexpr std::string_view kMagic = "\xff Go buildinf:";
  if (d.size() < 32 || d.substr(0, kMagic.size()) != kMagic) return {};
  const auto flags = static_cast<unsigned char>(d[15]);
  if (flags & 2) {  // Go 1.18+: varint-prefixed strings inline after the 32-byte header
    std::uint64_t pos = 32;
    const auto len = read_uleb128(d, pos);
    if (!len || *len > d.size() - pos) return {};
    return std::string(d.substr(pos, *len));
  }
  // Older: a pointer to a Go string header.
  auto hdr = elf.word_at(s->addr + 16);
  if (!hdr) return {};
  auto ptr = elf.word_at(*hdr), len = elf.word_at(*hdr + 8);
  if (!ptr || !len || *len > 64) return {};
  auto b = elf.bytes_at(*ptr, *len);
  return b ? std::string(*b) : std::string();
}

unsigned go_minor(const std::string& version) {
  if (version.rfind("go1.", 0) != 0) return 0;
  unsigned m = 0;
  for (std::size_t i = 4; i < version.size() && version[i] >= '0' && version[i] <= '9'; i++)
    m = m * 10 + static_cast<unsigned>(version[i] - '0');
  return m;
}

namespace {

// The first bytes of a function, read without running off their end (-1 past it).
struct Prologue {
  std::string_view code;
  int at(std::size_t i) const { return i < code.size() ? static_cast<unsigned char>(code[i]) : -1; }
  bool starts(std::size_t i, std::initializer_list<int> bytes) const {
    for (int b : bytes) {
      if (at(i++) != b) return false;
    }
    return true;
  }
};

// An attach point as an offset from the entry, and why it was chosen.
struct Choice {
  std::size_t offset;
  const char* note;
};

// After the stack check `cmp rsp|r12, 16|24(r14); jbe`: the `push rbp` that follows (runs once
// per real call), else the jbe.
std::optional<Choice> after_stack_check(const Prologue& c) {
  std::size_t i = 0;
  // Large frames first compute the new SP in R12: lea r12, [rsp+disp8|disp32].
  if (c.starts(0, {0x4c, 0x8d, 0x64, 0x24}))
    i = 5;
  else if (c.starts(0, {0x4c, 0x8d, 0xa4, 0x24}))
    i = 8;
  const bool guard = (c.starts(i, {0x49, 0x3b, 0x66}) || c.starts(i, {0x4d, 0x3b, 0x66})) &&
                     (c.at(i + 3) == 0x10 || c.at(i + 3) == 0x18);
  if (!guard) return std::nullopt;
  const std::size_t jcc = i + 4;
  std::size_t next = 0;
  if (c.at(jcc) == 0x76)
    next = jcc + 2;  // jbe rel8
  else if (c.at(jcc) == 0x0f && c.at(jcc + 1) == 0x86)
    next = jcc + 6;  // jbe rel32
  if (next == 0) return std::nullopt;
  if (c.at(next) == 0x55) return Choice{next, "push rbp after the stack check"};
  return Choice{jcc, "jbe of the stack check (fires again when the stack grows)"};
}

// A frame without a stack check (nosplit, e.g. Go 1.19's casgstatus): sub rsp, imm; then only
// stores to the frame and bit tests, which leave the argument registers and R14 as they were,
// up to the first nop or short jcc, which runs once per call and which the kernel emulates.
std::optional<Choice> after_nosplit_frame(const Prologue& c) {
  std::size_t i = 0;
  if (c.starts(0, {0x48, 0x83, 0xec}))
    i = 4;  // sub rsp, imm8
  else if (c.starts(0, {0x48, 0x81, 0xec}))
    i = 7;  // sub rsp, imm32
  else
    return std::nullopt;
  for (;;) {
    const std::size_t rex = (c.at(i) & 0xf0) == 0x40 ? 1 : 0;  // REX prefix, if any
    const int op = c.at(i + rex), next = c.at(i + rex + 1);
    const bool store = op == 0x89 && (next & 0xc7) == 0x44 && c.at(i + rex + 2) == 0x24;     // mov [rsp+d8], reg
    const bool frame = c.starts(i, {0x48, 0x8d, 0x6c, 0x24});                                // lea rbp, [rsp+d8]
    const bool bit_test = op == 0x0f && next == 0xba && (c.at(i + rex + 2) & 0xf8) == 0xe0;  // bt reg, imm8
    if (!store && !frame && !bit_test) break;
    i += rex + 4;
  }
  if (c.at(i) == 0x90) return Choice{i, "nop after the frame setup"};
  if (c.at(i) >= 0x70 && c.at(i) <= 0x7f) return Choice{i, "jcc after the frame setup"};
  return std::nullopt;
}

}  // namespace

ProbePoint choose_attach_point(std::string_view code, std::uint64_t entry) {
  ProbePoint p;
  p.entry = p.attach = entry;
  const Prologue c{code};
  std::optional<Choice> choice = c.at(0) == 0x55 ? Choice{0, "entry: push rbp"} : after_stack_check(c);
  if (!choice) choice = after_nosplit_frame(c);
  if (!choice) {
    p.note = "entry, single-stepped (no emulated instruction in the prologue)";
    return p;
  }
  p.attach = entry + choice->offset;
  p.emulated = true;
  p.note = choice->note;
  return p;
}

Result<std::unique_ptr<GoBinary>> GoBinary::open(const std::string& path) {
  std::unique_ptr<GoBinary> b(new GoBinary());
  auto elf = ElfFile::open(path);
  if (!elf) return elf.error();
  b->elf_ = std::move(*elf);
  if (b->elf_->machine() != EM_X86_64)
    return make_error(ErrorCode::UnsupportedVersion, 0, path + ": only x86-64 binaries are supported");
  b->go_version_ = read_go_version(*b->elf_);
  b->minor_ = go_minor(b->go_version_);
  if (b->minor_ == 0)
    return make_error(ErrorCode::NotATrace, 0, path + ": no Go version in .go.buildinfo (not a Go program?)");
  if (b->minor_ < 19)
    return make_error(ErrorCode::UnsupportedVersion, 0,
                      path + ": " + b->go_version_ + " is older than Go 1.19, which the collector needs");
  auto pcln = Pclntab::open(*b->elf_);
  if (!pcln) return pcln.error();
  b->pclntab_ = std::move(*pcln);

  auto layouts = read_struct_layouts(*b->elf_, {"runtime.g", "runtime.m"});
  if (!layouts) return layouts.error();
  auto& l = *layouts;
  if (l.count("runtime.g") && l.count("runtime.m")) {
    const auto& g = l["runtime.g"].members;
    const auto& m = l["runtime.m"].members;
    std::string missing;
    auto get = [&missing](const std::map<std::string, std::uint64_t>& members, std::initializer_list<const char*> names,
                          const char* type, bool required) {
      for (const char* n : names) {
        if (auto it = members.find(n); it != members.end()) return static_cast<std::uint32_t>(it->second);
      }
      if (required) missing += std::string(" ") + type + "." + *names.begin();
      return std::uint32_t{0};
    };
    RuntimeOffsets o;
    o.g_m = get(g, {"m"}, "g", true);
    o.g_atomicstatus = get(g, {"atomicstatus"}, "g", true);
    o.g_goid = get(g, {"goid"}, "g", true);
    o.g_waitreason = get(g, {"waitreason"}, "g", true);
    o.g_parent_goid = get(g, {"parentGoid"}, "g", false);
    o.g_gopc = get(g, {"gopc"}, "g", true);
    o.g_startpc = get(g, {"startpc"}, "g", true);
    o.m_curg = get(m, {"curg"}, "m", true);
    o.m_procid = get(m, {"procid"}, "m", true);
    o.m_block_reason = get(m, {"waitTraceBlockReason", "waittraceev"}, "m", true);
    if (!missing.empty()) return make_error(ErrorCode::Corrupt, 0, path + ": DWARF lacks runtime members:" + missing);
    b->offsets_ = o;
    b->offsets_source_ = "DWARF";
  } else if (auto t = table_offsets(b->minor_)) {
    b->offsets_ = *t;
    b->offsets_source_ = "table go1." + std::to_string(b->minor_);
  } else {
    return make_error(ErrorCode::UnsupportedVersion, 0,
                      path + ": no DWARF (stripped) and no built-in runtime.g/runtime.m offsets for " + b->go_version_ +
                          "; rebuild without -ldflags=-w or use a supported Go release");
  }
  return b;
}

std::optional<std::uint64_t> GoBinary::function(const std::string& name) const {
  if (const ElfSymbol* s = elf_->symbol(name); s && s->type == STT_FUNC) return s->value;
  if (auto f = pclntab_->lookup(name)) return f->entry;
  return std::nullopt;
}

std::optional<std::uint64_t> GoBinary::data_symbol(const std::string& name) const {
  if (const ElfSymbol* s = elf_->symbol(name)) return s->value;
  return std::nullopt;
}

Result<ProbePoint> GoBinary::probe_point(const std::string& name) const {
  auto entry = function(name);
  if (!entry) return make_error(ErrorCode::Corrupt, 0, path() + ": runtime function " + name + " not found");
  auto code = elf_->bytes_at(*entry, 32);
  if (!code) code = elf_->bytes_at(*entry, 8);
  if (!code) return make_error(ErrorCode::Corrupt, 0, path() + ": " + name + " lies outside the loaded image");
  ProbePoint p = choose_attach_point(*code, *entry);
  p.function = name;
  auto off = elf_->file_offset(p.attach);
  if (!off) return make_error(ErrorCode::Corrupt, 0, path() + ": " + name + " has no file offset");
  p.file_offset = *off;
  return p;
}

}  // namespace gtanalyze::collector
