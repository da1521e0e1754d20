// libbpf loader: skeleton → rodata offsets → uprobes by file offset → ring buffer → capture.
#include "collector/collector.hpp"

#include <bpf/libbpf.h>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "collector/capture_file.hpp"
#include "collector/go_binary.hpp"
#include "gtcollect.skel.h"

namespace gtanalyze::collector {
namespace {

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted = true; }

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) F(p);
  }
};
using SkelPtr = std::unique_ptr<gtcollect, Deleter<gtcollect, gtcollect__destroy>>;
void destroy_link(bpf_link* l) { bpf_link__destroy(l); }
using LinkPtr = std::unique_ptr<bpf_link, Deleter<bpf_link, destroy_link>>;
using RingPtr = std::unique_ptr<ring_buffer, Deleter<ring_buffer, ring_buffer__free>>;

// An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::uint64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

void say(const std::string& s) { fmt::print(stderr, "gtanalyze collect: {}\n", s); }

int libbpf_print(enum libbpf_print_level level, const char* fmt_str, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  if (level == LIBBPF_INFO && !std::getenv("GTANALYZE_BPF_VERBOSE")) return 0;
  return vfprintf(stderr, fmt_str, args);
}

std::string find_in_path(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + prog;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return prog;
}

// Load bias of a PIE in a live process: where its first mapping landed minus its link address.
std::uint64_t load_bias(int pid, const ElfFile& elf) {
  if (elf.type() != ET_DYN) return 0;
  char exe[4096];
  const std::string link = fmt::format("/proc/{}/exe", pid);
  const ssize_t n = ::readlink(link.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return 0;
  exe[n] = '\0';
  std::ifstream maps(fmt::format("/proc/{}/maps", pid));
  std::string line;
  std::uint64_t lowest = ~std::uint64_t{0};
  for (const auto& s : elf.sections()) {
    if (s.addr && s.addr < lowest) lowest = s.addr;
  }
  while (std::getline(maps, line)) {
    std::uint64_t start = 0, end = 0, off = 0;
    char perms[8], dev[16], path[4096] = "";
    unsigned long inode = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu %4095s", &start, &end, perms, &off, dev, &inode, path) >= 6 &&
        std::strcmp(path, exe) == 0 && off == 0) {
      // The first PT_LOAD maps file offset 0 at the page-aligned link address of the image.
      return start - (lowest & ~std::uint64_t{0xfff}) + 0 * end;
    }
  }
  return 0;
}

// Reads target memory through /proc/PID/mem.
class RemoteMemory {
 public:
  explicit RemoteMemory(int pid) : fd_(::open(fmt::format("/proc/{}/mem", pid).c_str(), O_RDONLY | O_CLOEXEC)) {}
  bool ok() const { return fd_.get() >= 0; }
  template <class T>
  bool read(std::uint64_t addr, T& out) const {
    return ::pread(fd_.get(), &out, sizeof(T), static_cast<off_t>(addr)) == static_cast<ssize_t>(sizeof(T));
  }

 private:
  Fd fd_;
};

// The goroutines in runtime.allgs (the trace's initial GoStatus events).
std::vector<InitialGoroutine> snapshot_allgs(int pid, const GoBinary& bin, std::uint64_t bias, std::string& why_not) {
  std::vector<InitialGoroutine> out;
  auto allgs = bin.data_symbol("runtime.allgs");
  if (!allgs) {
    why_not = "no runtime.allgs symbol (stripped binary): goroutines that already exist appear at their first change";
    return out;
  }
  RemoteMemory mem(pid);
  if (!mem.ok()) {
    why_not = "cannot open /proc/PID/mem";
    return out;
  }
  std::uint64_t ptr = 0, len = 0;
  if (!mem.read(*allgs + bias, ptr) || !mem.read(*allgs + bias + 8, len) || len > 10000000) {
    why_not = "cannot read runtime.allgs";
    return out;
  }
  const RuntimeOffsets& o = bin.offsets();
  for (std::uint64_t i = 0; i < len; i++) {
    std::uint64_t gp = 0;
    if (!mem.read(ptr + i * 8, gp) || gp == 0) continue;
    InitialGoroutine g;
    g.gp = gp;
    std::uint32_t status = 0;
    mem.read(gp + o.g_goid, g.goid);
    mem.read(gp + o.g_atomicstatus, status);
    mem.read(gp + o.g_waitreason, g.wait_reason);
    mem.read(gp + o.g_startpc, g.startpc);
    g.status = status & ~0x1000u;  // without _Gscan
    if (g.status == 6 || g.status == 0) continue;  // dead or idle: not a goroutine
    out.push_back(g);
  }
  return out;
}

struct Drain {
  CaptureWriter* writer = nullptr;
  Status error;
  std::set<std::uint64_t> start_pcs, go_pcs;
};

int on_record(void* ctx, void* data, std::size_t size) {
  auto* d = static_cast<Drain*>(ctx);
  if (size < sizeof(gtc_record)) return 0;
  gtc_record r;
  std::memcpy(&r, data, sizeof r);
  if (r.kind == GTC_CAS && r.old_status == 6) {
    d->start_pcs.insert(r.args[0]);
    d->go_pcs.insert(r.args[1]);
  }
  if (auto s = d->writer->write(r); !s) {
    d->error = s;
    return -1;
  }
  return 0;
}

std::vector<CaptureSymbol> resolve_symbols(const GoBinary& bin, std::uint64_t bias, const Drain& d, const std::vector<InitialGoroutine>& initial) {
  std::vector<CaptureSymbol> out;
  const Pclntab& pcln = bin.pclntab();
  std::set<std::uint64_t> starts = d.start_pcs;
  for (const auto& g : initial) starts.insert(g.startpc);
  for (std::uint64_t pc : starts) {
    if (pc == 0 || pc < bias) continue;
    const std::uint64_t start = pcln.unwrap_start(pc - bias);
    auto f = pcln.find(start);
    if (!f) continue;
    CaptureSymbol s{pc, std::string(f->name), "", 0};
    if (auto pos = pcln.source_pos(start)) {
      s.file = std::string(pos->file);
      s.line = pos->line;
    }
    out.push_back(std::move(s));
  }
  for (std::uint64_t pc : d.go_pcs) {
    if (pc == 0 || pc < bias || starts.count(pc)) continue;
    auto f = pcln.find(pc - bias - 1);
    if (!f) continue;
    CaptureSymbol s{pc, std::string(f->name), "", 0};
    if (auto pos = pcln.source_pos(pc - bias - 1)) {
      s.file = std::string(pos->file);
      s.line = pos->line;
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool process_alive(int pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

CollectResult collect(const CollectOptions& options, const std::atomic<bool>* stop) {
  CollectResult result;
  auto fail = [&](int code, const std::string& msg) {
    say(msg);
    result.exit_code = code;
    return result;
  };
  if (options.output.empty()) return fail(2, "an output file is required (-o CAPTURE)");
  if (options.command.empty() == (options.pid == 0)) return fail(2, "give either -- PROGRAM ARGS… or --pid PID");
  if ((options.ring_mib & (options.ring_mib - 1)) != 0 || options.ring_mib == 0 || options.ring_mib > 1024) {
    return fail(2, "--ring-mib must be a power of two between 1 and 1024");
  }

  // The binary: the program to start, or the running process's executable.
  const std::string path = options.pid ? fmt::format("/proc/{}/exe", options.pid) : find_in_path(options.command[0]);
  if (options.pid && !process_alive(options.pid)) return fail(2, fmt::format("no process {}", options.pid));
  auto bin_r = GoBinary::open(path);
  if (!bin_r) return fail(2, bin_r.error().message);
  const GoBinary& bin = **bin_r;

  if (::geteuid() != 0) {
    return fail(kExitBpfUnavailable,
                "BPF uprobes need root (or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN for uprobes): run as root; skipping (exit 77)");
  }
  libbpf_set_print(libbpf_print);

  // The probe set (see docs/capture-format.md): casgstatus sees every status change; preemptPark
  // the one block that bypasses it; Go 1.26 also needs the syscall functions (fast path CAS).
  struct Want {
    const char* function;
    gtc_kind kind;
    bool required;
  };
  std::vector<Want> wants = {{"runtime.casgstatus", GTC_CAS, true}, {"runtime.preemptPark", GTC_PREEMPT_PARK, false}};
  if (bin.minor() >= 26) {
    wants.push_back({"runtime.reentersyscall", GTC_SYS_ENTER, true});
    wants.push_back({"runtime.entersyscallblock", GTC_SYS_BLOCK, true});
    wants.push_back({"runtime.exitsyscall", GTC_SYS_EXIT, true});
  }
  std::vector<std::pair<ProbePoint, gtc_kind>> plan;
  for (const auto& w : wants) {
    auto p = bin.probe_point(w.function);
    if (!p) {
      if (w.required) return fail(2, p.error().message);
      say(fmt::format("warning: {} (its transitions will be missing)", p.error().message));
      continue;
    }
    if (!p->emulated) say(fmt::format("warning: {} is probed at an instruction the kernel single-steps (~10x the cost)", w.function));
    if (options.verbose) {
      say(fmt::format("probe {} at {:#x} (+{}; file offset {:#x}): {}", w.function, p->attach, p->attach - p->entry, p->file_offset, p->note));
    }
    plan.emplace_back(*p, w.kind);
  }

  // Start the target stopped on a pipe: it execs only once the probes are live.
  pid_t child = 0;
  Fd release_w;
  if (!options.command.empty()) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fail(2, std::string("pipe: ") + std::strerror(errno));
    Fd r(fds[0]), w(fds[1]);
    child = ::fork();
    if (child < 0) return fail(2, std::string("fork: ") + std::strerror(errno));
    if (child == 0) {
      w.reset();
      char go = 0;
      if (::read(r.get(), &go, 1) != 1 || go != 'g') _exit(125);  // the collector failed: never run unobserved
      std::vector<char*> argv;
      for (const auto& a : options.command) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(path.c_str(), argv.data());
      fmt::print(stderr, "gtanalyze collect: exec {}: {}\n", path, std::strerror(errno));
      _exit(127);
    }
    release_w = std::move(w);
  }
  const int target = options.pid ? options.pid : child;
  // From here on a failure must not leave a started child waiting.
  auto abandon = [&](int code, const std::string& msg) {
    if (child > 0) {
      release_w.reset();  // EOF: the child exits 125
      int st = 0;
      ::waitpid(child, &st, 0);
    }
    return fail(code, msg);
  };

  SkelPtr skel(gtcollect__open());
  if (!skel) return abandon(kExitBpfUnavailable, std::string("cannot open the BPF object: ") + std::strerror(errno));
  auto* ro = skel->rodata;
  const RuntimeOffsets& o = bin.offsets();
  ro->target_tgid = static_cast<__u32>(target);
  ro->off_g_m = o.g_m;
  ro->off_g_goid = o.g_goid;
  ro->off_g_waitreason = o.g_waitreason;
  ro->off_g_parent_goid = o.g_parent_goid;
  ro->off_g_gopc = o.g_gopc;
  ro->off_g_startpc = o.g_startpc;
  ro->off_m_curg = o.m_curg;
  ro->off_m_block_reason = o.m_block_reason;
  bpf_map__set_max_entries(skel->maps.events, options.ring_mib << 20);
  if (int err = gtcollect__load(skel.get()); err != 0) {
    const bool perm = err == -EPERM || err == -EACCES;
    return abandon(kExitBpfUnavailable, fmt::format("cannot load the BPF program ({}){}", std::strerror(-err),
                                                   perm ? ": needs root or CAP_BPF+CAP_PERFMON" : ": does this kernel support BPF ring buffers?"));
  }

  std::vector<LinkPtr> links;
  std::vector<CaptureProbe> probes;
  const std::string attach_path = options.pid ? path : path;
  for (const auto& [p, kind] : plan) {
    bpf_program* prog = nullptr;
    switch (kind) {
      case GTC_CAS: prog = skel->progs.casgstatus; break;
      case GTC_SYS_ENTER: prog = skel->progs.sys_enter; break;
      case GTC_SYS_BLOCK: prog = skel->progs.sys_block; break;
      case GTC_SYS_EXIT: prog = skel->progs.sys_exit; break;
      case GTC_PREEMPT_PARK: prog = skel->progs.preempt_park; break;
      default: break;
    }
    LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = false);
    // pid -1: the started child has not exec'd yet; the program filters on target_tgid.
    bpf_link* l = bpf_program__attach_uprobe_opts(prog, options.pid ? options.pid : -1, attach_path.c_str(), p.file_offset, &uo);
    if (!l) {
      const int err = errno;
      const bool unsupported = err == ENOENT || err == EOPNOTSUPP || err == ENOSYS || err == EPERM || err == EACCES;
      return abandon(unsupported ? kExitBpfUnavailable : 2, fmt::format("cannot attach a uprobe to {} ({}){}", p.function, std::strerror(err),
                                                                       unsupported ? ": uprobes unavailable" : ""));
    }
    links.emplace_back(l);
    probes.push_back({static_cast<std::uint8_t>(kind), p.function, p.entry, p.attach, p.emulated});
  }

  CaptureHeader header;
  header.go_version = bin.go_version();
  header.go_minor = bin.minor();
  header.build_id = bin.build_id();
  header.binary = options.pid ? bin.path() : path;
  header.pid = static_cast<std::uint32_t>(target);
  header.attached_running = options.pid != 0;
  header.start_mono = clock_ns(CLOCK_MONOTONIC);
  header.start_wall = clock_ns(CLOCK_REALTIME);
  header.offsets = bin.offsets();
  header.offsets_source = bin.offsets_source();
  header.probes = probes;
  auto writer = CaptureWriter::open(options.output, header);
  if (!writer) return abandon(2, writer.error().message);

  Drain drain;
  drain.writer = writer->get();
  RingPtr ring(ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, &drain, nullptr));
  if (!ring) return abandon(2, std::string("cannot create the ring buffer reader: ") + std::strerror(errno));

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  struct sigaction old_int {}, old_term {};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  g_interrupted = false;

  std::uint64_t bias = 0;
  bool bias_known = false;
  std::vector<InitialGoroutine> initial;
  if (options.pid) {
    bias = load_bias(options.pid, bin.elf());
    bias_known = true;
    std::string why;
    initial = snapshot_allgs(options.pid, bin, bias, why);
    if (!why.empty()) say("warning: " + why);
  }
  say(fmt::format("{} probes on {} ({}, offsets from {}); capturing pid {} into {}", probes.size(), header.binary, bin.go_version(),
                  bin.offsets_source(), target, options.output));
  if (child > 0) {
    const char go = 'g';
    if (::write(release_w.get(), &go, 1) != 1) return abandon(2, "cannot release the target");
    release_w.reset();
  }

  const auto started = std::chrono::steady_clock::now();
  bool target_gone = false;
  while (!target_gone) {
    ring_buffer__poll(ring.get(), 10);
    ring_buffer__consume(ring.get());  // records submitted without a wakeup
    if (!drain.error) break;
    if (!bias_known && child > 0) {
      bias = load_bias(child, bin.elf());
      bias_known = drain.writer->records() > 0;  // the exec has happened once records arrive
    }
    if (child > 0) {
      int st = 0;
      if (::waitpid(child, &st, WNOHANG) == child) {
        result.target_status = st;
        target_gone = true;
      }
    } else if (!process_alive(options.pid)) {
      target_gone = true;
    }
    if (g_interrupted || (stop && *stop)) break;
    if (options.duration > 0 && std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(options.duration)) break;
  }
  // Detach first, then drain what is left. A probe that fired just before the detach may still
  // hold a reserved record, and the drain stops at the first one not yet submitted: wait out
  // the few microseconds a probe takes (generously) so that no record is lost uncounted.
  links.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  while (ring_buffer__consume(ring.get()) > 0) {
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  if (child > 0 && !target_gone) {
    // Interrupted or timed out: the target keeps running; report it.
    say(fmt::format("target {} still running; detached", child));
  }
  if (!drain.error) return fail(2, drain.error.error().message);

  CaptureTrailer trailer;
  const int ncpu = libbpf_num_possible_cpus();
  std::vector<__u64> values(static_cast<std::size_t>(ncpu > 0 ? ncpu : 1));
  for (__u32 k = 0; k < GTC_STAT_COUNT; k++) {
    if (bpf_map__lookup_elem(skel->maps.stats, &k, sizeof k, values.data(), values.size() * sizeof(__u64), 0) == 0) {
      for (auto v : values) trailer.stats[k] += v;
    }
  }
  trailer.end_mono = clock_ns(CLOCK_MONOTONIC);
  trailer.exit_status = result.target_status;
  trailer.symbols = resolve_symbols(bin, bias, drain, initial);
  trailer.initial = std::move(initial);
  result.records = drain.writer->records();
  result.drops = trailer.drops();
  if (auto s = (*writer)->finish(std::move(trailer)); !s) return fail(2, s.error().message);
  say(fmt::format("{} records, {} dropped", result.records, result.drops));
  if (child > 0 && target_gone) {
    if (WIFEXITED(result.target_status)) say(fmt::format("target exited with status {}", WEXITSTATUS(result.target_status)));
    else if (WIFSIGNALED(result.target_status)) say(fmt::format("target killed by signal {}", WTERMSIG(result.target_status)));
  }
  result.exit_code = 0;
  return result;
}

}  // namespace gtanalyze::collector
