// .gopclntab decoding, following runtime/symtab.go (pcHeader, functab, _func, pcvalue).
#include "collector/pclntab.hpp"

#include <algorithm>
#include <cstring>

#include "collector/leb128.hpp"

namespace gtanalyze::collector {

std::string name_for_print(std::string_view symbol) {
  const std::size_t open = symbol.find('[');
  const std::size_t close = symbol.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) return std::string(symbol);
  return std::string(symbol.substr(0, open)) + "[...]" + std::string(symbol.substr(close + 1));
}

namespace {

constexpr std::uint32_t kMagic118 = 0xfffffff0, kMagic120 = 0xfffffff1;
constexpr unsigned kFuncdataWrapInfo = 7;

}  // namespace

Result<std::unique_ptr<Pclntab>> Pclntab::open(const ElfFile& elf) {
  std::unique_ptr<Pclntab> p(new Pclntab(elf));
  GTA_TRY(p->parse());
  return p;
}

std::optional<std::uint32_t> Pclntab::u32(std::uint64_t off) const {
  if (off > tab_.size() || tab_.size() - off < 4) return std::nullopt;
  std::uint32_t v;
  std::memcpy(&v, tab_.data() + off, 4);
  return v;
}

std::string_view Pclntab::cstr(std::uint64_t off) const {
  if (off >= tab_.size()) return {};
  const auto end = tab_.find('\0', off);
  return end == std::string_view::npos ? std::string_view{} : tab_.substr(off, end - off);
}

Status Pclntab::parse() {
  const ElfSection* s = elf_.section(".gopclntab");
  if (!s) s = elf_.section(".data.rel.ro.gopclntab");
  if (!s) return make_error(ErrorCode::NotATrace, 0, elf_.path() + ": no .gopclntab section (not a Go binary?)");
  tab_ = elf_.raw(*s);
  tab_addr_ = s->addr;
  auto word = [&](std::uint64_t off) -> std::uint64_t {
    if (off + 8 > tab_.size()) return 0;
    std::uint64_t v;
    std::memcpy(&v, tab_.data() + off, 8);
    return v;
  };
  const auto magic = u32(0);
  if (!magic || (*magic != kMagic118 && *magic != kMagic120)) {
    return make_error(ErrorCode::UnsupportedVersion, 0,
                      elf_.path() + ": .gopclntab has an unsupported magic (Go 1.18 or later is needed)");
  }
  go120_ = *magic == kMagic120;
  if (tab_.size() < 72 || tab_[7] != 8)
    return make_error(ErrorCode::Corrupt, 0, elf_.path() + ": .gopclntab header is not a 64-bit one");
  const std::uint64_t nfunc = word(8);
  text_start_ = word(24);
  funcname_ = word(32);
  cu_ = word(40);
  filetab_ = word(48);
  pctab_ = word(56);
  pcln_ = word(64);
  if (pcln_ >= tab_.size() || nfunc > (tab_.size() - pcln_) / 8)
    return make_error(ErrorCode::Corrupt, 0, elf_.path() + ": .gopclntab function table out of range");

  // runtime.firstmoduledata: its first word points at the pcHeader, the second at funcnametab.
  for (std::uint64_t md : elf_.words_equal_to(tab_addr_)) {
    if (elf_.word_at(md + 8) != tab_addr_ + funcname_) continue;
    // text at 176 in both layouts; gofunc after covctrs (1.20+) or without them (1.18/1.19).
    if (auto t = elf_.word_at(md + 176)) text_start_ = *t;
    if (auto g = elf_.word_at(md + (go120_ ? 320 : 304))) gofunc_ = *g;
    break;
  }
  if (text_start_ == 0) {
    if (const ElfSection* text = elf_.section(".text")) text_start_ = text->addr;
  }
  funcs_.reserve(nfunc);
  for (std::uint64_t i = 0; i < nfunc; i++) {
    const auto entry_off = u32(pcln_ + i * 8), func_off = u32(pcln_ + i * 8 + 4);
    if (!entry_off || !func_off) return make_error(ErrorCode::Corrupt, 0, elf_.path() + ": truncated functab");
    funcs_.push_back({text_start_ + *entry_off, *func_off});
  }
  if (auto end_off = u32(pcln_ + nfunc * 8)) end_ = text_start_ + *end_off;
  return {};
}

std::size_t Pclntab::func_index(std::uint64_t pc) const {
  if (funcs_.empty() || pc < funcs_.front().entry || pc >= end_) return funcs_.size();
  auto it =
      std::upper_bound(funcs_.begin(), funcs_.end(), pc, [](std::uint64_t v, const Func& f) { return v < f.entry; });
  return static_cast<std::size_t>(it - funcs_.begin()) - 1;
}

std::optional<FuncInfo> Pclntab::find(std::uint64_t pc) const {
  const std::size_t i = func_index(pc);
  if (i == funcs_.size()) return std::nullopt;
  const auto name_off = u32(pcln_ + funcs_[i].func_off + 4);
  if (!name_off) return std::nullopt;
  return FuncInfo{funcs_[i].entry, cstr(funcname_ + *name_off)};
}

std::optional<FuncInfo> Pclntab::lookup(std::string_view name) const {
  if (by_name_.empty()) {
    for (std::size_t i = 0; i < funcs_.size(); i++) {
      if (auto off = u32(pcln_ + funcs_[i].func_off + 4)) by_name_.emplace(cstr(funcname_ + *off), i);
    }
  }
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return FuncInfo{funcs_[it->second].entry, it->first};
}

std::uint64_t Pclntab::unwrap_start(std::uint64_t entry) const {
  const std::size_t i = func_index(entry);
  if (i == funcs_.size() || gofunc_ == 0) return entry;
  const std::uint64_t f = pcln_ + funcs_[i].func_off;
  const std::uint64_t fixed = go120_ ? 40 : 36;  // through cuOffset (+ startLine on 1.20+)
  const auto npcdata = u32(f + 28);
  if (!npcdata || f + fixed + 4 > tab_.size()) return entry;
  const auto nfuncdata = static_cast<unsigned char>(tab_[f + fixed + 3]);
  if (nfuncdata <= kFuncdataWrapInfo) return entry;
  const auto off = u32(f + fixed + 4 + std::uint64_t{*npcdata} * 4 + kFuncdataWrapInfo * 4);
  if (!off || *off == 0xffffffffu) return entry;
  auto target = elf_.bytes_at(gofunc_ + *off, 4);
  if (!target) return entry;
  std::uint32_t text_off;
  std::memcpy(&text_off, target->data(), 4);
  return text_start_ + text_off;
}

std::optional<std::int64_t> Pclntab::pcvalue(std::uint64_t func_off, std::uint32_t table_off, std::uint64_t pc) const {
  if (table_off == 0) return std::nullopt;
  std::uint64_t p = pctab_ + table_off;
  const auto entry_off = u32(func_off);
  if (!entry_off) return std::nullopt;
  std::uint64_t cur_pc = text_start_ + *entry_off;
  std::int64_t val = -1;
  const unsigned min_lc = static_cast<unsigned char>(tab_[6]);
  for (bool first = true;; first = false) {
    const auto uv = read_uleb128(tab_, p);
    if (!uv || (*uv == 0 && !first)) return std::nullopt;
    val += (*uv & 1) ? -static_cast<std::int64_t>((*uv + 1) >> 1) : static_cast<std::int64_t>(*uv >> 1);
    const auto pcdelta = read_uleb128(tab_, p);
    if (!pcdelta) return std::nullopt;
    cur_pc += *pcdelta * min_lc;
    if (pc < cur_pc) return val;
  }
}

std::optional<SourcePos> Pclntab::source_pos(std::uint64_t pc) const {
  const std::size_t i = func_index(pc);
  if (i == funcs_.size()) return std::nullopt;
  const std::uint64_t f = pcln_ + funcs_[i].func_off;
  const auto pcfile = u32(f + 20), pcln = u32(f + 24), cu_off = u32(f + 32);
  if (!pcfile || !pcln || !cu_off) return std::nullopt;
  const auto fileno = pcvalue(f, *pcfile, pc);
  const auto line = pcvalue(f, *pcln, pc);
  if (!fileno || !line || *fileno < 0) return std::nullopt;
  const auto file_off = u32(cu_ + (std::uint64_t{*cu_off} + static_cast<std::uint64_t>(*fileno)) * 4);
  if (!file_off || *file_off == 0xffffffffu) return std::nullopt;
  return SourcePos{cstr(filetab_ + *file_off), static_cast<std::uint64_t>(*line)};
}

}  // namespace gtanalyze::collector
