// The offline readers against real binaries of every installed Go: DWARF offsets vs the
// checked-in table, pclntab on stripped and PIE builds, buildinfo, attach points, wrappers.
#include <catch2/catch_test_macros.hpp>

#include "collector/dwarf_structs.hpp"
#include "collector/go_binary.hpp"
#include "collector/pclntab.hpp"
#include "collector/wait_reasons.hpp"
#include "go_toolchains.hpp"

using namespace gtanalyze::collector;
using testing::Build;
using testing::built_testprog;

namespace {

std::unique_ptr<GoBinary> open_or_fail(const std::string& path) {
  auto b = GoBinary::open(path);
  INFO(path << ": " << (b ? std::string() : b.error().message));
  REQUIRE(b);
  return std::move(*b);
}

}  // namespace

TEST_CASE("DWARF offsets of runtime.g and runtime.m match the table, per Go version") {
  for (unsigned minor : testing::go_minors()) {
    std::string why;
    auto path = built_testprog(minor, Build::Plain, &why);
    if (!path) {
      WARN("skipping Go 1." << minor << ": " << why);
      continue;
    }
    auto bin = open_or_fail(*path);
    INFO("go1." << minor);
    CHECK(bin->minor() == minor);
    CHECK(bin->go_version().rfind("go1." + std::to_string(minor), 0) == 0);
    CHECK(bin->offsets_source() == "DWARF");
    auto table = table_offsets(minor);
    REQUIRE(table);
    CHECK(bin->offsets() == *table);
    if (!(bin->offsets() == *table)) {
      const auto& o = bin->offsets();
      WARN("DWARF: " << o.g_m << " " << o.g_atomicstatus << " " << o.g_goid << " " << o.g_waitreason << " "
                     << o.g_parent_goid << " " << o.g_gopc << " " << o.g_startpc << " " << o.m_curg << " " << o.m_procid
                     << " " << o.m_block_reason);
    }
    CHECK((minor >= 21) == (bin->offsets().g_parent_goid != 0));
  }
}

TEST_CASE("stripped and PIE binaries: pclntab functions, table offsets, version") {
  for (unsigned minor : testing::go_minors()) {
    std::string why;
    auto plain = built_testprog(minor, Build::Plain, &why);
    auto stripped = built_testprog(minor, Build::Stripped, &why);
    auto pie = built_testprog(minor, Build::PieStripped, &why);
    if (!plain || !stripped || !pie) {
      WARN("skipping Go 1." << minor << ": " << why);
      continue;
    }
    INFO("go1." << minor);
    auto p = open_or_fail(*plain);
    auto s = open_or_fail(*stripped);
    auto e = open_or_fail(*pie);
    CHECK(p->has_symtab());
    CHECK_FALSE(s->has_symtab());
    CHECK_FALSE(e->has_symtab());
    CHECK(s->minor() == minor);
    CHECK(e->minor() == minor);
    CHECK(s->offsets_source() == "table go1." + std::to_string(minor));
    CHECK(s->offsets() == p->offsets());
    for (const char* fn : {"runtime.casgstatus", "runtime.preemptPark", "runtime.exitsyscall", "main.chanSender"}) {
      INFO(fn);
      auto sym = p->elf().symbol(fn);
      REQUIRE(sym);
      auto from_pcln = p->pclntab().lookup(fn);
      REQUIRE(from_pcln);
      CHECK(from_pcln->entry == sym->value);  // the pclntab agrees with .symtab
      CHECK(s->function(fn) == sym->value);   // -s -w keeps the code where it was
      auto pie_fn = e->function(fn);
      REQUIRE(pie_fn);
      CHECK(e->pclntab().find(*pie_fn + 1)->name == fn);
    }
    CHECK(p->pclntab().has_moduledata());
    CHECK(s->pclntab().has_moduledata());
    CHECK(e->pclntab().has_moduledata());
  }
}

TEST_CASE("go statement wrappers unwrap to the function the tracer names") {
  for (unsigned minor : testing::go_minors()) {
    std::string why;
    for (Build b : {Build::Plain, Build::PieStripped}) {
      auto path = built_testprog(minor, b, &why);
      if (!path) {
        WARN("skipping Go 1." << minor << ": " << why);
        continue;
      }
      INFO("go1." << minor << " " << *path);
      auto bin = open_or_fail(*path);
      const auto& pcln = bin->pclntab();
      // `go chanSender(ch, &wg)` is the first go statement in main.main.
      auto wrapper = pcln.lookup(minor >= 22 ? "main.main.gowrap1" : "main.main.func1");
      REQUIRE(wrapper);
      const auto target = pcln.unwrap_start(wrapper->entry);
      auto f = pcln.find(target);
      REQUIRE(f);
      CHECK(f->name == "main.chanSender");
      auto pos = pcln.source_pos(target);
      REQUIRE(pos);
      CHECK(pos->file.ends_with("collector/testprog/main.go"));
      CHECK(pos->line == 16);
      // A plain function is not a wrapper.
      auto direct = pcln.lookup("main.leakSelect");
      REQUIRE(direct);
      CHECK(pcln.unwrap_start(direct->entry) == direct->entry);
    }
  }
}

TEST_CASE("attach points: the first emulated instruction") {
  // push rbp at entry
  CHECK(choose_attach_point(std::string("\x55\x48\x89\xe5", 4), 0x1000).attach == 0x1000);
  // cmp rsp,[r14+0x10]; jbe rel8; push rbp
  auto p = choose_attach_point(std::string("\x49\x3b\x66\x10\x76\x20\x55", 7), 0x1000);
  CHECK(p.emulated);
  CHECK(p.attach == 0x1006);
  // lea r12,[rsp-0x88]; cmp r12,[r14+0x10]; jbe rel32; sub rsp (no push): the jbe
  auto q = choose_attach_point(
      std::string("\x4c\x8d\xa4\x24\x78\xff\xff\xff\x4d\x3b\x66\x10\x0f\x86\x00\x01\x00\x00\x48\x83", 20), 0x2000);
  CHECK(q.emulated);
  CHECK(q.attach == 0x200c);
  // sub rsp, 0x28 and nothing the kernel emulates after it: single-stepped at entry
  auto r = choose_attach_point(std::string("\x48\x83\xec\x28", 4), 0x3000);
  CHECK_FALSE(r.emulated);
  CHECK(r.attach == 0x3000);
  // Go 1.19 casgstatus: sub rsp,0x40; mov [rsp+0x38],rbp; lea rbp,[rsp+0x38]; mov [rsp+0x48],rax;
  // mov [rsp+0x50],ebx; mov [rsp+0x54],ecx; bt ebx,0xc; nop; jb: the nop
  const std::string go119_cas(
      "\x48\x83\xec\x40\x48\x89\x6c\x24\x38\x48\x8d\x6c\x24\x38\x48\x89\x44\x24\x48\x89\x5c\x24\x50"
      "\x89\x4c\x24\x54\x0f\xba\xe3\x0c\x90\x72\x0a",
      35);
  auto s = choose_attach_point(go119_cas, 0x4000);
  CHECK(s.emulated);
  CHECK(s.attach == 0x401f);
  // the same with a register load before the nop (mov rax, [rsp+8]): AX is gone, so the entry
  auto t = choose_attach_point(std::string("\x48\x83\xec\x40\x48\x8b\x44\x24\x08\x90", 10), 0x5000);
  CHECK_FALSE(t.emulated);
  CHECK(t.attach == 0x5000);

  for (unsigned minor : testing::go_minors()) {
    auto path = built_testprog(minor, Build::Stripped);
    if (!path) continue;
    INFO("go1." << minor);
    auto bin = open_or_fail(*path);
    auto cas = bin->probe_point("runtime.casgstatus");
    REQUIRE(cas);
    CHECK(cas->emulated);  // Go 1.19's casgstatus: the nop after its frame setup
    auto pp = bin->probe_point("runtime.preemptPark");
    REQUIRE(pp);
    CHECK(pp->emulated);
    CHECK(pp->file_offset > 0);
  }
}

TEST_CASE("wait-reason tables: values that differ between versions") {
  auto wr = [](unsigned minor, std::string_view name) -> int {
    const RuntimeTables* t = runtime_tables(minor);
    REQUIRE(t);
    for (std::size_t i = 0; i < t->wait_reasons.size(); i++) {
      if (t->wait_reasons[i].name == name) return static_cast<int>(i);
    }
    return -1;
  };
  CHECK(wr(19, "ChanSend") == 15);
  CHECK(wr(19, "TimerGoroutineIdle") == 21);
  CHECK(wr(23, "Semacquire") == 18);
  CHECK(wr(25, "Semacquire") == 19);
  CHECK(wr(26, "Semacquire") == 13);
  CHECK(wr(26, "ChanSend") == 20);
  CHECK(wr(26, "SelectNoCases") == 17);
  CHECK(wr(26, "ChanReceiveNilChan") == 15);
  const RuntimeTables* t26 = runtime_tables(26);
  CHECK(t26->wait_reasons[static_cast<std::size_t>(wr(26, "StoppingTheWorld"))].transient);
  CHECK_FALSE(t26->wait_reasons[static_cast<std::size_t>(wr(26, "ChanSend"))].transient);
  CHECK(t26->block_reasons[6].text == "chan send");
  CHECK(t26->block_reasons[16].text == "synctest");
  CHECK_FALSE(t26->old_tracer);
  const RuntimeTables* t19 = runtime_tables(19);
  CHECK(t19->old_tracer);
  CHECK(t19->block_reasons[22].text == "chan send");
  CHECK(t19->block_reasons[16].text == "forever");
  CHECK(t19->block_reasons[26].text == "sync.(*Cond).Wait");
  CHECK_FALSE(t19->block_reasons[0].valid);
  CHECK(runtime_tables(20) == nullptr);
}

TEST_CASE("generic functions are named as the Go 1.21+ tracer prints them") {
  CHECK(name_for_print("main.generic[go.shape.int]") == "main.generic[...]");
  CHECK(name_for_print("main.(*Box[go.shape.int]).Run") == "main.(*Box[...]).Run");
  CHECK(name_for_print("main.spawn[go.shape.string,go.shape.int].func1") == "main.spawn[...].func1");
  // Brackets inside the type arguments: from the first '[' to the last ']', as the runtime does.
  CHECK(name_for_print("main.f[go.shape.[]int]") == "main.f[...]");
  CHECK(name_for_print("main.worker") == "main.worker");
  CHECK(name_for_print("odd]name[") == "odd]name[");
  CHECK(name_for_print("") == "");
}
