// libbpf loader: skeleton → rodata offsets → uprobes by file offset → ring buffer → capture.
#include "collector/collector.hpp"

#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include "collector/capture_file.hpp"
#include "collector/go_binary.hpp"
#include "collector/target.hpp"
#include "gtcollect.skel.h"
#include "io/stderr.hpp"

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

// Why a capture cannot go on. Thrown inside collect(), which says it and returns the exit code;
// what was set up is undone on the way out (links, skeleton, a held target reaped).
struct Failure {
  int exit_code;
  std::string message;
};

std::uint64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

void say(const std::string& s) { io::print_stderr("gtanalyze collect: {}\n", s); }

int libbpf_print(enum libbpf_print_level level, const char* fmt_str, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  if (level == LIBBPF_INFO && !std::getenv("GTANALYZE_BPF_VERBOSE")) return 0;
  return vfprintf(stderr, fmt_str, args);
}

struct Drain {
  CaptureWriter* writer = nullptr;
  Status error;
  std::set<std::uint64_t> start_pcs, go_pcs;
  bool execd = false;  // the GTC_EXEC record came: the target runs another image
};

int on_record(void* ctx, void* data, std::size_t size) {
  auto* d = static_cast<Drain*>(ctx);
  if (!d->error) return -1;  // the capture failed (a full disk): keep its first error
  if (size < sizeof(gtc_record)) return 0;
  gtc_record r;
  std::memcpy(&r, data, sizeof r);
  if (r.kind == GTC_CAS && r.old_status == 6) {
    d->start_pcs.insert(r.args[0]);
    d->go_pcs.insert(r.args[1]);
  }
  if (r.kind == GTC_EXEC) d->execd = true;
  if (auto s = d->writer->write(r); !s) {
    d->error = s;
    return -1;
  }
  return 0;
}

// A symbol for each code address the records carry: start functions (at their entry) and the
// `go` statements that created goroutines (the call's return address).
std::vector<CaptureSymbol> resolve_symbols(const GoBinary& bin, std::uint64_t bias, const Drain& d,
                                           const std::vector<InitialGoroutine>& initial) {
  std::vector<CaptureSymbol> out;
  const Pclntab& pcln = bin.pclntab();
  // `pc` as recorded, named by the function and source position at `at` (an unbiased address).
  auto add = [&](std::uint64_t pc, std::uint64_t at) {
    auto f = pcln.find(at);
    if (!f) return;
    CaptureSymbol s{pc, std::string(f->name), "", 0};
    if (auto pos = pcln.source_pos(at)) {
      s.file = std::string(pos->file);
      s.line = pos->line;
    }
    out.push_back(std::move(s));
  };
  std::set<std::uint64_t> starts = d.start_pcs;
  for (const auto& g : initial) starts.insert(g.startpc);
  for (std::uint64_t pc : starts) {
    if (pc == 0 || pc < bias) continue;
    add(pc, pcln.unwrap_start(pc - bias));
  }
  for (std::uint64_t pc : d.go_pcs) {
    if (pc == 0 || pc < bias || starts.count(pc)) continue;
    add(pc, pc - bias - 1);  // inside the call instruction
  }
  return out;
}

void check_options(const CollectOptions& options) {
  if (options.output.empty()) throw Failure{2, "an output file is required (-o CAPTURE)"};
  if (options.command.empty() == (options.pid == 0)) throw Failure{2, "give either -- PROGRAM ARGS… or --pid PID"};
  if ((options.ring_mib & (options.ring_mib - 1)) != 0 || options.ring_mib == 0 || options.ring_mib > 1024) {
    throw Failure{2, "--ring-mib must be a power of two between 1 and 1024"};
  }
}

struct PlannedProbe {
  ProbePoint point;
  gtc_kind kind;
};

// The probe set (see docs/capture-format.md): casgstatus sees every status change; preemptPark
// the one block that bypasses it; Go 1.26 also needs the syscall functions (fast path CAS).
std::vector<PlannedProbe> plan_probes(const GoBinary& bin, bool verbose) {
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
  std::vector<PlannedProbe> plan;
  for (const auto& w : wants) {
    auto p = bin.probe_point(w.function);
    if (!p) {
      if (w.required) throw Failure{2, p.error().message};
      say(fmt::format("warning: {} (its transitions will be missing)", p.error().message));
      continue;
    }
    if (!p->emulated)
      say(fmt::format("warning: {} is probed at an instruction the kernel single-steps (~10x the cost)", w.function));
    if (verbose) {
      say(fmt::format("probe {} at {:#x} (+{}; file offset {:#x}): {}", w.function, p->attach, p->attach - p->entry,
                      p->file_offset, p->note));
    }
    plan.push_back({*p, w.kind});
  }
  return plan;
}

// How the probes are attached: one uprobe_multi link (Linux 6.6+), else one perf-event uprobe
// each. Detaching a link waits for the handlers still running (an RCU grace period, ~55 ms
// here), so one link instead of five saves a quarter of a second at the end of every capture.
enum class LinkKind { Multi, PerProbe };

// Opens the BPF object, sets the target (`started`: the collector starts it, with one exec) and
// the runtime's offsets, sizes the ring buffer, keeps the program for `kind`, loads.
SkelPtr load_skeleton(const GoBinary& bin, int target, bool started, std::uint32_t ring_mib, LinkKind kind) {
  SkelPtr skel(gtcollect__open());
  if (!skel) throw Failure{kExitBpfUnavailable, std::string("cannot open the BPF object: ") + std::strerror(errno)};
  auto* ro = skel->rodata;
  const RuntimeOffsets& o = bin.offsets();
  ro->target_tgid = static_cast<__u32>(target);
  ro->launch_execs = started ? 1 : 0;
  ro->off_g_m = o.g_m;
  ro->off_g_goid = o.g_goid;
  ro->off_g_waitreason = o.g_waitreason;
  ro->off_g_parent_goid = o.g_parent_goid;
  ro->off_g_gopc = o.g_gopc;
  ro->off_g_startpc = o.g_startpc;
  ro->off_m_curg = o.m_curg;
  ro->off_m_block_reason = o.m_block_reason;
  bpf_map__set_max_entries(skel->maps.events, ring_mib << 20);
  bpf_program__set_autoload(kind == LinkKind::Multi ? skel->progs.probe_single : skel->progs.probe_multi, false);
  if (int err = gtcollect__load(skel.get()); err != 0) {
    const bool perm = err == -EPERM || err == -EACCES;
    throw Failure{kExitBpfUnavailable, fmt::format("cannot load the BPF program ({}){}", std::strerror(-err),
                                                   perm ? ": needs root or CAP_BPF+CAP_PERFMON"
                                                        : ": does this kernel support BPF ring buffers?")};
  }
  return skel;
}

Failure attach_failure(const std::string& what, int err) {
  const bool unsupported = err == ENOENT || err == EOPNOTSUPP || err == ENOSYS || err == EPERM || err == EACCES;
  return Failure{unsupported ? kExitBpfUnavailable : 2,
                 fmt::format("cannot attach a uprobe to {} ({}){}", what, std::strerror(err),
                             unsupported ? ": uprobes unavailable" : "")};
}

// The loaded program and its links (which detach when destroyed).
struct Probes {
  SkelPtr skel;
  std::vector<LinkPtr> links;
  std::vector<CaptureProbe> listed;  // for the capture's header
};

// Loads the program and attaches the planned probes to `path` for process `target`: one
// uprobe_multi link with the kernel filtering on the target (which may not have exec'd yet: the
// filter follows the task), else, on kernels without it, a perf-event uprobe per probe for every
// process (pid -1, since a started child has not exec'd yet; the program filters on the tgid).
Probes attach_probes(const GoBinary& bin, const std::vector<PlannedProbe>& plan, int target, bool started,
                     const std::string& path, std::uint32_t ring_mib) {
  Probes out;
  std::vector<unsigned long> offsets;
  std::vector<__u64> cookies;  // the program's switch: which function fired
  for (const auto& [p, kind] : plan) {
    out.listed.push_back({static_cast<std::uint8_t>(kind), p.function, p.entry, p.attach, p.emulated});
    offsets.push_back(p.file_offset);
    cookies.push_back(kind);
  }
  LIBBPF_OPTS(bpf_uprobe_multi_opts, mo, .offsets = offsets.data(), .cookies = cookies.data(), .cnt = plan.size());
  try {
    out.skel = load_skeleton(bin, target, started, ring_mib, LinkKind::Multi);
  } catch (const Failure&) {
    // A kernel that cannot load a uprobe_multi program: the per-probe load below reports any other cause.
  }
  if (out.skel) {
    bpf_link* l = bpf_program__attach_uprobe_multi(out.skel->progs.probe_multi, target, path.c_str(), nullptr, &mo);
    if (l) {
      out.links.emplace_back(l);
      return out;
    }
    const int err = errno;  // EINVAL, EOPNOTSUPP, ENOSYS: a kernel before 6.6
    if (err != EINVAL && err != EOPNOTSUPP && err != ENOSYS) throw attach_failure("the runtime's functions", err);
  }
  out.skel = load_skeleton(bin, target, started, ring_mib, LinkKind::PerProbe);
  for (const auto& [p, kind] : plan) {
    LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = kind, .retprobe = false);
    bpf_link* l = bpf_program__attach_uprobe_opts(out.skel->progs.probe_single, started ? -1 : target, path.c_str(),
                                                  p.file_offset, &uo);
    if (!l) throw attach_failure(p.function, errno);
    out.links.emplace_back(l);
  }
  return out;
}

// Watches for the target's exec: its probes are the old image's (the same file's new image would
// fire them again, with its goroutines starting over), so the capture ends there.
// A kernel without the tracepoint still gets its capture, with a warning.
void watch_exec(Probes& probes) {
  bpf_link* l = bpf_program__attach(probes.skel->progs.on_exec);
  if (!l) {
    say(
        fmt::format("warning: cannot watch the target's execs (the sched_process_exec tracepoint: {}): if it execs, "
                    "the capture runs on into the new program",
                    std::strerror(errno)));
    return;
  }
  probes.links.emplace_back(l);
}

// SIGINT, SIGTERM and SIGHUP (a closed terminal) end the capture (not the collector) while it
// lives: the capture still gets its trailer.
class InterruptHandlers {
 public:
  InterruptHandlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    for (std::size_t i = 0; i < kSignals.size(); i++) ::sigaction(kSignals[i], &sa, &old_[i]);
    g_interrupted = false;
  }
  ~InterruptHandlers() {
    for (std::size_t i = 0; i < kSignals.size(); i++) ::sigaction(kSignals[i], &old_[i], nullptr);
  }
  InterruptHandlers(const InterruptHandlers&) = delete;
  InterruptHandlers& operator=(const InterruptHandlers&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, kSignals.size()> old_{};
};

// The process being captured.
struct Target {
  int pid = 0;
  HeldChild* child = nullptr;  // when the collector started it
};

// Drains the ring buffer until the target is gone (its wait status into `result`) or exec'd, the
// duration is over, or the capture is stopped. False when the target still runs.
bool drain_until_done(ring_buffer* ring, const Drain& drain, const Target& target, const CollectOptions& options,
                      const std::atomic<bool>* stop, CollectResult& result) {
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    ring_buffer__poll(ring, 10);
    ring_buffer__consume(ring);  // records submitted without a wakeup
    if (!drain.error || drain.execd) return false;
    if (target.child) {
      int st = 0;
      if (::waitpid(target.pid, &st, WNOHANG) == target.pid) {
        result.target_status = st;
        return true;
      }
    } else if (!process_alive(target.pid)) {
      return true;
    }
    if (g_interrupted || (stop && *stop)) return false;
    if (options.duration > 0 &&
        std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(options.duration))
      return false;
  }
}

CaptureHeader make_header(const GoBinary& bin, const CollectOptions& options, const std::string& path, int target,
                          std::vector<CaptureProbe> probes) {
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
  header.probes = std::move(probes);
  return header;
}

// The load bias of the target's image: where a probe fired less the address it was attached at.
// Read from the hits, it needs no live target (a short-lived PIE is gone, its /proc/PID/maps
// empty, before the first poll); `fallback` when no probe fired.
std::uint64_t bias_from_hits(const gtcollect& skel, const std::vector<CaptureProbe>& probes, std::uint64_t fallback) {
  for (const auto& p : probes) {
    if (const __u64 ip = skel.bss->probe_ip[p.kind]; ip != 0) return ip - p.attach;
  }
  return fallback;
}

// The BPF program's per-CPU counters, summed.
void read_stats(const gtcollect& skel, CaptureTrailer& trailer) {
  const int ncpu = libbpf_num_possible_cpus();
  std::vector<__u64> values(static_cast<std::size_t>(ncpu > 0 ? ncpu : 1));
  for (__u32 k = 0; k < GTC_STAT_COUNT; k++) {
    if (bpf_map__lookup_elem(skel.maps.stats, &k, sizeof k, values.data(), values.size() * sizeof(__u64), 0) == 0) {
      for (auto v : values) trailer.stats[k] += v;
    }
  }
}

void capture(const CollectOptions& options, const std::atomic<bool>* stop, CollectResult& result) {
  check_options(options);
  // The binary: the program to start, or the running process's executable.
  const std::string path = options.pid ? fmt::format("/proc/{}/exe", options.pid) : find_in_path(options.command[0]);
  if (options.pid && !process_alive(options.pid)) throw Failure{2, fmt::format("no process {}", options.pid)};
  auto bin_r = GoBinary::open(path);
  if (!bin_r) throw Failure{2, bin_r.error().message};
  // Said now: the child's exec would fail after the probes were attached, with an empty capture.
  if (!options.pid && ::access(path.c_str(), X_OK) != 0)
    throw Failure{2, fmt::format("{}: cannot run it: {}", path, std::strerror(errno))};
  const GoBinary& bin = **bin_r;
  if (::geteuid() != 0) {
    throw Failure{kExitBpfUnavailable,
                  "BPF uprobes need root (or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN for uprobes): run as root; "
                  "skipping (exit 77)"};
  }
  libbpf_set_print(libbpf_print);
  const std::vector<PlannedProbe> plan = plan_probes(bin, options.verbose);

  // Start the target held on a pipe: it execs only once the probes are live.
  std::optional<HeldChild> child;
  if (!options.command.empty()) {
    auto started = HeldChild::start(path, options.command);
    if (!started) throw Failure{2, started.error().message};
    child.emplace(std::move(*started));
  }
  Target target{options.pid ? options.pid : child->pid(), child ? &*child : nullptr};

  Probes probes = attach_probes(bin, plan, target.pid, child.has_value(), path, options.ring_mib);
  watch_exec(probes);
  const std::size_t probe_count = probes.listed.size();
  const CaptureHeader header = make_header(bin, options, path, target.pid, std::move(probes.listed));
  auto writer = CaptureWriter::open(options.output, header);
  if (!writer) throw Failure{2, writer.error().message};
  Drain drain;
  drain.writer = writer->get();
  RingPtr ring(ring_buffer__new(bpf_map__fd(probes.skel->maps.events), on_record, &drain, nullptr));
  if (!ring) throw Failure{2, std::string("cannot create the ring buffer reader: ") + std::strerror(errno)};

  std::optional<InterruptHandlers> interrupts(std::in_place);
  std::vector<InitialGoroutine> initial;
  std::uint64_t attach_bias = 0;  // --pid: read from /proc, to find runtime.allgs
  if (options.pid) {
    attach_bias = load_bias(options.pid, bin.elf());
    std::string why;
    initial = snapshot_allgs(options.pid, bin, attach_bias, why);
    if (!why.empty()) say("warning: " + why);
  }
  say(fmt::format("{} probes on {} ({}, offsets from {}); capturing pid {} into {}", probe_count, header.binary,
                  bin.go_version(), bin.offsets_source(), target.pid, options.output));
  if (child && !child->release()) throw Failure{2, "cannot release the target"};

  const bool target_gone = drain_until_done(ring.get(), drain, target, options, stop, result);
  // Detach first, then drain what is left. The drain stops at the first record reserved but not
  // yet submitted; none is left once the detach returns, since it waits for the handlers still
  // running (uprobe_unregister_sync: an RCU tasks-trace grace period; before Linux 6.12 the
  // consumer's rwsem, which the handlers hold).
  probes.links.clear();
  while (ring_buffer__consume(ring.get()) > 0) {
  }
  interrupts.reset();
  // Interrupted, timed out or exec'd: the target keeps running; report it.
  if (drain.execd)
    say(fmt::format("warning: target {} exec'd a new program: the capture ends there; detached", target.pid));
  else if (child && !target_gone)
    say(fmt::format("target {} still running; detached", target.pid));
  if (!drain.error) throw Failure{2, drain.error.error().message};

  CaptureTrailer trailer;
  read_stats(*probes.skel, trailer);
  trailer.end_mono = clock_ns(CLOCK_MONOTONIC);
  trailer.exit_status = result.target_status;
  const std::uint64_t bias = bias_from_hits(*probes.skel, header.probes, attach_bias);
  trailer.symbols = resolve_symbols(bin, bias, drain, initial);
  trailer.initial = std::move(initial);
  result.records = drain.writer->records();
  result.drops = trailer.drops();
  if (auto s = (*writer)->finish(std::move(trailer)); !s) throw Failure{2, s.error().message};
  say(fmt::format("{} records, {} dropped", result.records, result.drops));
  if (child && target_gone) {
    if (WIFEXITED(result.target_status))
      say(fmt::format("target exited with status {}", WEXITSTATUS(result.target_status)));
    else if (WIFSIGNALED(result.target_status))
      say(fmt::format("target killed by signal {}", WTERMSIG(result.target_status)));
  }
}

}  // namespace

CollectResult collect(const CollectOptions& options, const std::atomic<bool>* stop) {
  CollectResult result;
  try {
    capture(options, stop, result);
  } catch (const Failure& f) {
    say(f.message);
    result.exit_code = f.exit_code;
  }
  return result;
}

}  // namespace gtanalyze::collector
