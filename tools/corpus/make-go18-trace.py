#!/usr/bin/env python3
"""Derives a Go 1.8-format trace from a Go 1.9-format one (no Go 1.8 toolchain or 1.8 trace exists
in Debian or in Go's testdata; the two formats differ only in what Go 1.9 added):
  - the header says "go 1.8 trace";
  - GCSweepDone loses the two arguments Go 1.9 added (swept and reclaimed bytes);
  - GCMarkAssistStart/Done (new in Go 1.9) are dropped, their time deltas carried over to the
    next timed event of the same batch so every other event keeps its timestamp.
Usage: make-go18-trace.py IN_1_9_TRACE OUT_TRACE
The result is checked by Go 1.19's parser in corpus tests (it reads 1.8)."""
import sys

EV_BATCH, EV_FREQUENCY, EV_STACK = 1, 2, 3
EV_GC_SWEEP_DONE, EV_TIMER_GOROUTINE, EV_STRING = 12, 35, 37
EV_MARK_ASSIST_START, EV_MARK_ASSIST_DONE = 43, 44
UNTIMED = {EV_BATCH, EV_FREQUENCY, EV_TIMER_GOROUTINE, EV_STACK}


def uvarint(buf, pos):
    value = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def put_uvarint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def events(buf):
    """Yields (type, args, raw_bytes) for each event after the 16-byte header (format 1.7+)."""
    pos = 16
    while pos < len(buf):
        start = pos
        typ, narg = buf[pos] & 0x3F, (buf[pos] >> 6) + 1
        pos += 1
        if typ == EV_STRING:
            _, pos = uvarint(buf, pos)
            length, pos = uvarint(buf, pos)
            pos += length
            yield typ, None, buf[start:pos]
            continue
        args = []
        if narg < 4:
            for _ in range(narg):
                v, pos = uvarint(buf, pos)
                args.append(v)
        else:
            length, pos = uvarint(buf, pos)
            end = pos + length
            while pos < end:
                v, pos = uvarint(buf, pos)
                args.append(v)
        yield typ, args, buf[start:pos]


def encode(typ, args):
    if len(args) < 4:
        return bytes([typ | (len(args) - 1) << 6]) + b"".join(put_uvarint(a) for a in args)
    body = b"".join(put_uvarint(a) for a in args)
    return bytes([typ | 3 << 6]) + put_uvarint(len(body)) + body


def main():
    src, dst = sys.argv[1], sys.argv[2]
    buf = open(src, "rb").read()
    if not buf.startswith(b"go 1.9 trace\0"):
        sys.exit(f"{src}: not a Go 1.9-format trace")
    out = bytearray(b"go 1.8 trace\0\0\0\0")
    carry = 0  # time delta of dropped events, added to the next timed event
    dropped = rewritten = 0
    for typ, args, raw in events(buf):
        if typ == EV_BATCH:
            carry = 0
        if typ in (EV_MARK_ASSIST_START, EV_MARK_ASSIST_DONE):
            carry += args[0]
            dropped += 1
            continue
        if typ == EV_STRING or typ in UNTIMED:
            out += raw
            continue
        if typ == EV_GC_SWEEP_DONE:
            args = args[:-2]
            rewritten += 1
        if carry or typ == EV_GC_SWEEP_DONE:
            args = [args[0] + carry] + args[1:]
            carry = 0
            out += encode(typ, args)
        else:
            out += raw
    open(dst, "wb").write(out)
    print(f"{dst}: dropped {dropped} mark-assist events, rewrote {rewritten} sweep-done events")


main()
