// Uprobes on Go runtime functions (entries, or the first emulated instruction of the prologue;
// never uretprobes: Go moves stacks). Go's amd64 register ABI: arguments in RAX, RBX, RCX, …;
// the current g in R14. Offsets arrive as read-only data, fixed per target binary.
#include <linux/bpf.h>
#include <linux/types.h>
// After the kernel's types, which it uses.
#include <bpf/bpf_helpers.h>

#include "gtcollect_event.h"

// Only the registers we read; the layout is x86-64's struct pt_regs.
struct pt_regs {
  unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#define GO_ARG1(ctx) ((ctx)->ax)
#define GO_ARG2(ctx) ((ctx)->bx)
#define GO_ARG3(ctx) ((ctx)->cx)
#define GO_G(ctx) ((ctx)->r14)

const volatile __u32 target_tgid = 0;
// The target's execs that start it: 1 when the collector starts it (its exec into the program).
const volatile __u32 launch_execs = 0;
// The target's execs so far. A process execs on one thread at a time (the others are gone).
__u32 execs = 0;
const volatile __u32 off_g_m = 0, off_g_goid = 0, off_g_waitreason = 0, off_g_parent_goid = 0;
const volatile __u32 off_g_gopc = 0, off_g_startpc = 0, off_m_curg = 0, off_m_block_reason = 0;

// Where each probe first fired (a runtime address; by gtc_kind): less its link address, the
// image's load bias, learnt even when the target is gone before /proc could be read.
__u64 probe_ip[GTC_KIND_COUNT];

enum { G_RUNNABLE = 1, G_WAITING = 4, G_DEAD = 6, G_COPYSTACK = 8, G_IDLE = 0, G_LEAKED = 10 };

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 << 20);  // resized by the loader
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, GTC_STAT_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 idx) {
  __u64* v = bpf_map_lookup_elem(&stats, &idx);
  if (v) *v += 1;
}

static __always_inline __u64 read_u64(__u64 addr) {
  __u64 v = 0;
  if (addr) bpf_probe_read_user(&v, sizeof(v), (const void*)addr);
  return v;
}

static __always_inline __u8 read_u8(__u64 addr) {
  __u8 v = 0;
  if (addr) bpf_probe_read_user(&v, sizeof(v), (const void*)addr);
  return v;
}

static __always_inline int mine(void) { return (bpf_get_current_pid_tgid() >> 32) == target_tgid; }

// Past an exec the process runs another image: the capture ends there.
static __always_inline int execd(void) { return execs > launch_execs; }

static __always_inline struct gtc_record* reserve(__u8 kind) {
  count(kind);
  struct gtc_record* r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
  if (!r) {
    count(GTC_STAT_DROPS);
    return 0;
  }
  r->ts = bpf_ktime_get_ns();
  r->tid = (__u32)bpf_get_current_pid_tgid();
  r->kind = kind;
  r->cur_goid = -1;
  r->old_status = r->new_status = r->wait_reason = 0;
  r->args[0] = r->args[1] = r->args[2] = 0;
  return r;
}

// Wake the reader only when the ring is half full: a wakeup per event doubles the cost.
static __always_inline void submit(struct gtc_record* r) {
  __u64 flags = BPF_RB_NO_WAKEUP;
  if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > (8u << 20)) flags = BPF_RB_FORCE_WAKEUP;
  bpf_ringbuf_submit(r, flags);
}

static __always_inline __s64 curg_goid(__u64 g) {
  __u64 m = read_u64(g + off_g_m);
  if (!m) return -1;
  __u64 curg = read_u64(m + off_m_curg);
  if (!curg) return -1;
  return (__s64)read_u64(curg + off_g_goid);
}

static __always_inline int on_casgstatus(struct pt_regs* ctx) {
  __u64 gp = GO_ARG1(ctx);
  __u32 oldv = (__u32)GO_ARG2(ctx), newv = (__u32)GO_ARG3(ctx);
  // Allocation (Idle→Dead) and stack copies (↔Copystack) change nothing we report.
  if (oldv == G_IDLE || oldv == G_COPYSTACK || newv == G_COPYSTACK) return 0;
  struct gtc_record* r = reserve(GTC_CAS);
  if (!r) return 0;
  r->gp = gp;
  r->old_status = (__u8)oldv;
  r->new_status = (__u8)newv;
  r->goid = (__s64)read_u64(gp + off_g_goid);
  if (oldv == G_DEAD) {
    r->cur_goid = curg_goid(GO_G(ctx));  // the creator
    r->args[0] = read_u64(gp + off_g_startpc);
    r->args[1] = read_u64(gp + off_g_gopc);
    r->args[2] = off_g_parent_goid ? read_u64(gp + off_g_parent_goid) : (__u64)-1;
  } else if (oldv == G_WAITING && newv == G_RUNNABLE) {
    r->cur_goid = curg_goid(GO_G(ctx));  // the unblocker
  } else if (newv == G_LEAKED) {
    /* Go 1.26's leak-detecting GC (GOEXPERIMENT=goroutineleakprofile): what it was waiting on. */
    r->wait_reason = read_u8(gp + off_g_waitreason);
  } else if (newv == G_WAITING) {
    r->wait_reason = read_u8(gp + off_g_waitreason);
    __u64 m = read_u64(gp + off_g_m);
    r->args[0] = m ? read_u8(m + off_m_block_reason) : 0;
  }
  submit(r);
  return 0;
}

// A record for goroutine `g`: the current one (R14) in the syscall functions, preemptPark's argument.
static __always_inline int on_goroutine(__u8 kind, __u64 g) {
  struct gtc_record* r = reserve(kind);
  if (!r) return 0;
  r->gp = g;
  r->goid = (__s64)read_u64(g + off_g_goid);
  r->cur_goid = r->goid;
  submit(r);
  return 0;
}

// Every probe runs this one program; the attach cookie says which runtime function fired.
static __always_inline int on_probe(struct pt_regs* ctx) {
  if (!mine() || execd()) return 0;  // a new image of the same file fires the probes again
  const __u64 kind = bpf_get_attach_cookie(ctx);
  if (kind < GTC_KIND_COUNT && !probe_ip[kind]) probe_ip[kind] = ctx->ip;  // the probed instruction
  switch (kind) {
    case GTC_CAS: return on_casgstatus(ctx);
    case GTC_PREEMPT_PARK: return on_goroutine(GTC_PREEMPT_PARK, GO_ARG1(ctx));
    case GTC_SYS_ENTER:
    case GTC_SYS_BLOCK:
    case GTC_SYS_EXIT: return on_goroutine((__u8)kind, GO_G(ctx));
    default: return 0;
  }
}

// The target exec'd: after its launch, a record saying so, the last of the capture. A raw
// tracepoint, which needs no tracefs mounted.
SEC("raw_tp/sched_process_exec")
int on_exec(void* ctx) {
  if (!mine()) return 0;
  if (++execs != launch_execs + 1) return 0;  // the launch, or an exec after the capture's end
  struct gtc_record* r = reserve(GTC_EXEC);
  if (!r) return 0;
  r->gp = 0;
  r->goid = -1;
  bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
  return 0;
}

// Linux 6.6+: all probes on one uprobe_multi link (one attach, one detach, pid filter in the
// kernel). Older kernels: one perf-event uprobe per probe. The loader keeps one of the two.
SEC("uprobe.multi")
int probe_multi(struct pt_regs* ctx) { return on_probe(ctx); }

SEC("uprobe")
int probe_single(struct pt_regs* ctx) { return on_probe(ctx); }

char LICENSE[] SEC("license") = "GPL";
