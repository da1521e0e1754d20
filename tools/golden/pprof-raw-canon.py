#!/usr/bin/env python3
"""`go tool pprof -raw` of a trace profile (stdin) → the canonical text of tests/golden/pprof:
one line per sample, `COUNT DELAY: FRAME | FRAME ...` with each frame `function file:line`,
innermost first, the lines sorted. Go's own profile bytes change from run to run (map order);
this text does not. tests/report/pprof/pprof_canon.cpp writes the same text from our files."""
import re
import sys

SAMPLE = re.compile(r"^\s*(\d+)\s+(\d+):((?: \d+)*) ?$")
# "     1: 0x488be4 M=1 sync.(*WaitGroup).Wait sync/waitgroup.go:206:0 s=0" (pprof's Profile.String)
LOCATION = re.compile(r"^\s*(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(.*) (.*):(\d+):\d+ s=\d+$")


def main():
    section = None
    samples, frames = [], {}
    for line in sys.stdin.read().splitlines():
        if line.startswith("Samples:"):
            section = "header"
            continue
        if line.startswith("Locations"):
            section = "locations"
            continue
        if line.startswith("Mappings"):
            section = None
            continue
        if section == "header":  # the sample types' line
            section = "samples"
        elif section == "samples":
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f"pprof-raw-canon: unexpected sample line: {line!r}")
            samples.append((m.group(1), m.group(2), [int(i) for i in m.group(3).split()]))
        elif section == "locations":
            m = LOCATION.match(line)
            if not m:
                sys.exit(f"pprof-raw-canon: unexpected location line (inlined frames?): {line!r}")
            frames[int(m.group(1))] = f"{m.group(2)} {m.group(3)}:{m.group(4)}"
    out = sorted(f"{count} {delay}: " + " | ".join(frames[i] for i in ids) for count, delay, ids in samples)
    sys.stdout.write("".join(line + "\n" for line in out))


main()
