#!/usr/bin/env python3
"""One row of data/traces/README.md's table per trace: events, m / c / r / f / a, request size min / median / p99
/ max, peak live bytes (requested sizes; calloc NMEMB*SIZE; a realloc replaces the old size), peak live blocks.

    python3 tools/malloc-trace/summary.py TRACE.trace.gz...
"""
import sys

import tracefile


def summarize(path):
    counts = dict.fromkeys("mcrfa", 0)
    sizes = []
    live = {}
    live_bytes = peak_bytes = peak_blocks = 0
    for kind, freed, born, size in tracefile.events(path):
        counts[kind] += 1
        if freed is not None:
            live_bytes -= live.pop(freed)
        if born is None:
            continue
        sizes.append(size)
        live[born] = size
        live_bytes += size
        peak_bytes = max(peak_bytes, live_bytes)
        peak_blocks = max(peak_blocks, len(live))
    sizes.sort()
    events = sum(counts.values())
    pick = lambda q: sizes[min(len(sizes) - 1, int(q * len(sizes)))]
    return (f"| {path.rsplit('/', 1)[-1]} | {events:,} | {' / '.join(f'{counts[k]:,}' for k in 'mcrfa')} | "
            f"{sizes[0]:,} / {pick(0.5):,} / {pick(0.99):,} / {sizes[-1]:,} | {peak_bytes:,} | {peak_blocks:,} |")


if __name__ == "__main__":
    for trace in sys.argv[1:]:
        print(summarize(trace))
