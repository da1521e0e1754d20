// A minimal DWARF .debug_info walker: abbreviations, unit headers (v2–v5) and every attribute
// form's size, so it can skip what it does not need and read struct members.
#include "collector/dwarf_structs.hpp"

#include <unordered_map>
#include <vector>

#include "collector/leb128.hpp"

namespace gtanalyze::collector {
namespace {

struct AttrSpec {
  std::uint64_t name, form;
  std::int64_t implicit_const;
};
struct Abbrev {
  std::uint64_t tag = 0;
  bool children = false;
  std::vector<AttrSpec> attrs;
};
using AbbrevTable = std::unordered_map<std::uint64_t, Abbrev>;

// A bounded cursor; any overrun sets `bad` and yields zeros.
struct Cursor {
  std::string_view d;
  std::uint64_t pos = 0;
  bool bad = false;
  bool has(std::uint64_t n) {
    if (pos > d.size() || d.size() - pos < n) {
      bad = true;
      return false;
    }
    return true;
  }
  std::uint64_t fixed(unsigned n) {
    if (!has(n)) return 0;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= std::uint64_t{static_cast<unsigned char>(d[pos + i])} << (8 * i);
    pos += n;
    return v;
  }
  std::uint64_t uleb() { return or_bad(read_uleb128(d, pos)); }
  std::int64_t sleb() { return or_bad(read_sleb128(d, pos)); }
  template <class T>
  T or_bad(std::optional<T> v) {
    if (!v) bad = true;
    return v.value_or(0);
  }
  std::string_view cstr() {
    const auto end = d.find('\0', pos);
    if (end == std::string_view::npos) {
      bad = true;
      return {};
    }
    auto s = d.substr(pos, end - pos);
    pos = end + 1;
    return s;
  }
  void skip(std::uint64_t n) {
    if (has(n)) pos += n;
  }
};

Result<AbbrevTable> parse_abbrevs(std::string_view data, std::uint64_t offset) {
  AbbrevTable t;
  Cursor c{data, offset};
  for (;;) {
    const std::uint64_t code = c.uleb();
    if (c.bad) return make_error(ErrorCode::Corrupt, offset, "DWARF: truncated .debug_abbrev");
    if (code == 0) break;
    Abbrev a;
    a.tag = c.uleb();
    a.children = c.fixed(1) != 0;
    for (;;) {
      AttrSpec s{c.uleb(), c.uleb(), 0};
      if (c.bad) return make_error(ErrorCode::Corrupt, offset, "DWARF: truncated .debug_abbrev");
      if (s.name == 0 && s.form == 0) break;
      if (s.form == 0x21) s.implicit_const = c.sleb();  // DW_FORM_implicit_const
      a.attrs.push_back(s);
    }
    t.emplace(code, std::move(a));
  }
  return t;
}

struct Value {
  std::uint64_t u = 0;
  std::string_view str;  // for string forms
  bool is_string = false, is_const = false;
};

struct UnitCtx {
  unsigned offset_size = 4, addr_size = 8, version = 4;
  std::string_view str, line_str;
};

// Reads (or skips) one attribute value of `form`.
bool read_form(Cursor& c, std::uint64_t form, std::int64_t implicit_const, const UnitCtx& u, Value& v) {
  // Laid out by hand: one line per DWARF form.
  // clang-format off
  switch (form) {
    case 0x01: v.u = c.fixed(u.addr_size); break;                     // addr
    case 0x03: c.skip(c.fixed(2)); break;                            // block2
    case 0x04: c.skip(c.fixed(4)); break;                            // block4
    case 0x05: v.u = c.fixed(2); v.is_const = true; break;            // data2
    case 0x06: v.u = c.fixed(4); v.is_const = true; break;            // data4
    case 0x07: v.u = c.fixed(8); v.is_const = true; break;            // data8
    case 0x08: v.str = c.cstr(); v.is_string = true; break;           // string
    case 0x09: case 0x18: {                                           // block, exprloc
      const std::uint64_t n = c.uleb();
      // DW_OP_plus_uconst N: the DWARF 2 way to give a member offset.
      if (n >= 2 && c.has(n) && static_cast<unsigned char>(c.d[c.pos]) == 0x23) {
        Cursor e{c.d.substr(c.pos + 1, n - 1)};
        v.u = e.uleb();
        v.is_const = !e.bad;
      }
      c.skip(n);
      break;
    }
    case 0x0a: c.skip(c.fixed(1)); break;                            // block1
    case 0x0b: v.u = c.fixed(1); v.is_const = true; break;            // data1
    case 0x0c: c.skip(1); break;                                      // flag
    case 0x0d: v.u = static_cast<std::uint64_t>(c.sleb()); v.is_const = true; break;  // sdata
    case 0x0e: case 0x1f: {                                           // strp, line_strp
      const std::uint64_t off = c.fixed(u.offset_size);
      std::string_view sec = form == 0x0e ? u.str : u.line_str;
      if (off < sec.size()) {
        Cursor s{sec, off};
        v.str = s.cstr();
        v.is_string = !s.bad;
      }
      break;
    }
    case 0x0f: v.u = c.uleb(); v.is_const = true; break;              // udata
    case 0x10: c.skip(u.version <= 2 ? u.addr_size : u.offset_size); break;  // ref_addr
    case 0x11: c.skip(1); break;
    case 0x12: c.skip(2); break;
    case 0x13: c.skip(4); break;
    case 0x14: c.skip(8); break;
    case 0x15: c.uleb(); break;                                       // ref_udata
    case 0x16: {                                                      // indirect
      const std::uint64_t f = c.uleb();
      return read_form(c, f, implicit_const, u, v);
    }
    case 0x17: c.skip(u.offset_size); break;                          // sec_offset
    case 0x19: break;                                                 // flag_present
    case 0x1a: case 0x1b: case 0x22: case 0x23: c.uleb(); break;      // strx addrx loclistx rnglistx
    case 0x1c: c.skip(4); break;                                      // ref_sup4
    case 0x1d: c.skip(u.offset_size); break;                          // strp_sup
    case 0x1e: c.skip(16); break;                                     // data16
    case 0x20: c.skip(8); break;                                      // ref_sig8
    case 0x21: v.u = static_cast<std::uint64_t>(implicit_const); v.is_const = true; break;
    case 0x24: c.skip(8); break;                                      // ref_sup8
    case 0x25: case 0x29: c.skip(1); break;                           // strx1 addrx1
    case 0x26: case 0x2a: c.skip(2); break;
    case 0x27: case 0x2b: c.skip(3); break;
    case 0x28: case 0x2c: c.skip(4); break;
    default: return false;
  }
  // clang-format on
  return !c.bad;
}

constexpr std::uint64_t kTagStructure = 0x13, kTagMember = 0x0d;
constexpr std::uint64_t kAtName = 0x03, kAtByteSize = 0x0b, kAtMemberLocation = 0x38;

// The attributes of one DIE the struct walk reads.
struct DieAttrs {
  std::string_view name;
  std::uint64_t size = 0, location = 0;
  bool has_location = false;
};

// Reads every attribute of a DIE with abbreviation `a`, keeping the three the walk needs.
Result<DieAttrs> read_die_attrs(Cursor& d, const Abbrev& a, const UnitCtx& u) {
  DieAttrs out;
  for (const auto& spec : a.attrs) {
    Value v;
    if (!read_form(d, spec.form, spec.implicit_const, u, v)) {
      return make_error(ErrorCode::Corrupt, d.pos, "DWARF: bad or unknown attribute form " + std::to_string(spec.form));
    }
    if (spec.name == kAtName && v.is_string) out.name = v.str;
    if (spec.name == kAtByteSize && v.is_const) out.size = v.u;
    if (spec.name == kAtMemberLocation && v.is_const) {
      out.location = v.u;
      out.has_location = true;
    }
  }
  return out;
}

// A unit header (v2–v5): fills `u` and returns the offset of the unit's abbreviations; `end` is
// where the unit ends.
Result<std::uint64_t> read_unit_header(Cursor& c, UnitCtx& u, std::uint64_t& end) {
  const std::uint64_t unit_start = c.pos;
  std::uint64_t length = c.fixed(4);
  if (length == 0xffffffff) {
    length = c.fixed(8);
    u.offset_size = 8;
  }
  const std::uint64_t body = c.pos;
  if (c.bad || length > c.d.size() - body)
    return make_error(ErrorCode::Corrupt, unit_start, "DWARF: unit runs past .debug_info");
  end = body + length;
  u.version = static_cast<unsigned>(c.fixed(2));
  std::uint64_t abbrev_off = 0;
  if (u.version >= 5) {
    const auto unit_type = c.fixed(1);
    u.addr_size = static_cast<unsigned>(c.fixed(1));
    abbrev_off = c.fixed(u.offset_size);
    if (unit_type == 0x02 || unit_type == 0x06)
      c.skip(8 + u.offset_size);  // type units
    else if (unit_type == 0x04 || unit_type == 0x05)
      c.skip(8);  // skeleton/split
  } else {
    abbrev_off = c.fixed(u.offset_size);
    u.addr_size = static_cast<unsigned>(c.fixed(1));
  }
  if (c.bad || u.version < 2 || u.version > 5)
    return make_error(ErrorCode::Corrupt, unit_start, "DWARF: unsupported unit header");
  return abbrev_off;
}

// Walks one unit's DIE tree (`d` at its first DIE), adding the layout of each struct in `names`
// not found yet to `out`: its byte size and its direct members' offsets.
Status collect_unit_structs(Cursor d, std::uint64_t unit_end, const AbbrevTable& table, const UnitCtx& u,
                            const std::set<std::string>& names, std::map<std::string, StructLayout>& out) {
  int depth = 0;
  int collecting_depth = -1;  // depth of the struct whose members we collect
  StructLayout* current = nullptr;
  while (d.pos < unit_end) {
    const std::uint64_t code = d.uleb();
    if (d.bad) return make_error(ErrorCode::Corrupt, d.pos, "DWARF: truncated DIE");
    if (code == 0) {  // the end of a sibling list
      depth--;
      if (depth < collecting_depth) {
        collecting_depth = -1;
        current = nullptr;
      }
      if (depth < 0) break;
      continue;
    }
    auto a = table.find(code);
    if (a == table.end()) return make_error(ErrorCode::Corrupt, d.pos, "DWARF: unknown abbreviation code");
    const Abbrev& abbrev = a->second;
    auto attrs = read_die_attrs(d, abbrev, u);
    if (!attrs) return attrs.error();
    if (abbrev.tag == kTagStructure && collecting_depth < 0 && names.count(std::string(attrs->name)) &&
        !out.count(std::string(attrs->name))) {
      current = &out[std::string(attrs->name)];
      current->size = attrs->size;
      collecting_depth = depth + 1;
      if (!abbrev.children) {
        current = nullptr;
        collecting_depth = -1;
      }
    } else if (current && abbrev.tag == kTagMember && depth == collecting_depth && attrs->has_location) {
      current->members.emplace(std::string(attrs->name), attrs->location);
    }
    if (abbrev.children) depth++;
  }
  return {};
}

}  // namespace

Result<std::map<std::string, StructLayout>> read_struct_layouts(const ElfFile& elf,
                                                                const std::set<std::string>& names) {
  std::map<std::string, StructLayout> out;
  auto info = elf.section_data(".debug_info");
  if (!info) return info.error();
  if (info->empty()) return out;
  auto abbrev = elf.section_data(".debug_abbrev");
  if (!abbrev) return abbrev.error();
  auto str = elf.section_data(".debug_str");
  if (!str) return str.error();
  auto line_str = elf.section_data(".debug_line_str");
  if (!line_str) return line_str.error();

  std::unordered_map<std::uint64_t, AbbrevTable> abbrev_cache;
  Cursor c{*info};
  while (c.pos < c.d.size() && out.size() < names.size()) {
    UnitCtx u;
    u.str = *str;
    u.line_str = *line_str;
    std::uint64_t unit_end = 0;
    auto abbrev_off = read_unit_header(c, u, unit_end);
    if (!abbrev_off) return abbrev_off.error();
    auto [it, fresh] = abbrev_cache.try_emplace(*abbrev_off);
    if (fresh) {
      auto t = parse_abbrevs(*abbrev, *abbrev_off);
      if (!t) return t.error();
      it->second = std::move(*t);
    }
    GTA_TRY(collect_unit_structs(Cursor{c.d.substr(0, unit_end), c.pos}, unit_end, it->second, u, names, out));
    c.pos = unit_end;
  }
  return out;
}

}  // namespace gtanalyze::collector
