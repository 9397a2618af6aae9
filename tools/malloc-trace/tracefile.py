"""Reads a trace of data/traces' format (gzip'd): one tuple per event, the calls' arguments turned into what a
heap sees, for the scripts beside it.

    (kind, freed, born, size)
    kind   the event's letter: m, c, r, f or a
    freed  the ID of the block the event ends (f, and r of a live block), else None
    born   the ID of the block the event hands out (m, c, r, a), else None
    size   the bytes asked for (calloc: NMEMB * SIZE), or 0 for f
"""
import gzip


def events(path):
    with gzip.open(path, "rt") as lines:
        for text in lines:
            f = text.split()
            kind = f[0]
            if kind == "f":
                yield kind, int(f[1]), None, 0
            elif kind == "m":
                yield kind, None, int(f[1]), int(f[2])
            elif kind == "c":
                yield kind, None, int(f[1]), int(f[2]) * int(f[3])
            elif kind == "a":
                yield kind, None, int(f[1]), int(f[3])
            else:
                yield kind, None if f[1] == "-" else int(f[1]), int(f[2]), int(f[3])
