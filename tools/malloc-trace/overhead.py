#!/usr/bin/env python3
"""What a block format alone costs on a trace: at the moment the live requested bytes peak, the sum of the live
blocks' sizes over those bytes, for the kernel heap's format (docs/heap.md: an 8-byte header, sizes rounded to the
kernel's 8-byte granule, 32-byte smallest block) and for glibc's chunks (an 8-byte size word, sizes rounded to 16,
32-byte smallest chunk). Holes between blocks are not counted, so a heap's footprint (peak heap / peak live bytes,
`mioos-mm replay --json`) is this figure plus what its placement leaves free.

    python3 tools/malloc-trace/overhead.py TRACE.trace.gz...
"""
import sys

import tracefile

HEADER = 8
SMALLEST = 32


def kernel_heap_block(size):
    return max(SMALLEST, (max(size, 1) + HEADER + 7) // 8 * 8)


def glibc_chunk(size):
    return max(SMALLEST, (size + HEADER + 15) // 16 * 16)


def overhead_at_peak(path, block_of):
    live = {}
    live_bytes = block_bytes = peak = 0
    blocks_at_peak = 0
    for _, freed, born, size in tracefile.events(path):
        if freed is not None:
            old = live.pop(freed)
            live_bytes -= old
            block_bytes -= block_of(old)
        if born is None:
            continue
        live[born] = size
        live_bytes += size
        block_bytes += block_of(size)
        if live_bytes > peak:
            peak, blocks_at_peak = live_bytes, block_bytes
    return blocks_at_peak / peak


if __name__ == "__main__":
    print("| trace | kernel heap blocks / live bytes | glibc chunks / live bytes |")
    print("| --- | ---: | ---: |")
    for trace in sys.argv[1:]:
        name = trace.rsplit("/", 1)[-1]
        print(f"| {name} | {overhead_at_peak(trace, kernel_heap_block):.3f} | {overhead_at_peak(trace, glibc_chunk):.3f} |")
