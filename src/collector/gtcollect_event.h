/* The one record shared by the BPF program (gtcollect.bpf.c) and user space: fixed widths, no
 * padding surprises. The capture file stores these records as they come off the ring buffer
 * (see docs/capture-format.md). */
#ifndef GTANALYZE_COLLECTOR_GTCOLLECT_EVENT_H
#define GTANALYZE_COLLECTOR_GTCOLLECT_EVENT_H

#ifdef __cplusplus
#include <cstdint>
typedef std::uint64_t gtc_u64;
typedef std::int64_t gtc_s64;
typedef std::uint32_t gtc_u32;
typedef std::uint8_t gtc_u8;
#else
typedef __u64 gtc_u64;
typedef __s64 gtc_s64;
typedef __u32 gtc_u32;
typedef __u8 gtc_u8;
#endif

/* What fired. */
enum gtc_kind {
  GTC_CAS = 1,          /* runtime.casgstatus(gp, old, new) */
  GTC_SYS_ENTER = 2,    /* runtime.reentersyscall (Go 1.26: bypasses casgstatus) */
  GTC_SYS_BLOCK = 3,    /* runtime.entersyscallblock */
  GTC_SYS_EXIT = 4,     /* runtime.exitsyscall */
  GTC_PREEMPT_PARK = 5, /* runtime.preemptPark(gp): Running -> Waiting "preempted" */
  GTC_EXEC = 6,         /* the target exec'd a new program: the last record (goid -1) */
  GTC_KIND_COUNT = 7,
};

/* Index of the drop counter in the per-CPU stats array (the others count hits per kind). */
#define GTC_STAT_DROPS 7
#define GTC_STAT_COUNT 8

/* 64 bytes. */
struct gtc_record {
  gtc_u64 ts;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
  gtc_u64 gp;   /* the g whose state changes */
  gtc_s64 goid; /* gp->goid (before Go 1.24 stale when old == Dead: set after the CAS) */
  /* goid of the thread's m->curg: the creator at creation, the unblocker at Waiting -> Runnable;
   * the goroutine itself for the non-CAS kinds; -1 otherwise (not read: it costs three reads). */
  gtc_s64 cur_goid;
  /* old == Dead (creation): startpc, gopc, gp->parentGoid (-1 without the field).
   * new == Waiting: args[0] = m->waitTraceBlockReason (m->waittraceev on Go 1.19).
   * new == Leaked (10, Go 1.26's leak-detecting GC): wait_reason only. */
  gtc_u64 args[3];
  gtc_u32 tid;                   /* kernel thread id */
  gtc_u8 kind;                   /* enum gtc_kind */
  gtc_u8 old_status, new_status; /* casgstatus arguments (g status numbers) */
  gtc_u8 wait_reason;            /* gp->waitreason when new == Waiting or Leaked */
};

#ifdef __cplusplus
static_assert(sizeof(gtc_record) == 64, "gtc_record is 64 bytes");
#endif

#endif
