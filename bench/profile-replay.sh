#!/bin/sh
# Where the time of `mioos-mm replay` goes: samples with perf (call graphs), kept only when the trace replay
# loop is on the stack (so parsing, JIT and start-up drop out), grouped by what the leaf function does, and
# turned into ns of an average event from the replay's own median ns per event.
#   bench/profile-replay.sh data/traces/gcc-cc1-O2.trace.gz [REPEAT]
# Needs perf (Debian: linux-perf) and a Release build of the CLI (dotnet build src/MioOS.Memory.Cli -c Release).
set -eu
trace=$1
repeat=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
cli=$here/src/MioOS.Memory.Cli/bin/Release/net10.0/mioos-mm.dll
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The ns per event from a run without the profiler (perf's sampling slows the replay): the replay thread's CPU
# time, which on a shared machine leaves out the time it waited for a core (the wall clock where there is none).
dotnet "$cli" replay "$trace" --repeat "$repeat" --json > "$out/replay.json"
ns=$(sed -n 's/^ *"cpuNsPerEvent": \([0-9.]*\),*$/\1/p' "$out/replay.json" | head -n 1)
case "$ns" in ''|0|0.0) ns=$(sed -n 's/^ *"nsPerEvent": \([0-9.]*\),*$/\1/p' "$out/replay.json" | head -n 1) ;; esac
# W^X off and perf maps on, so perf can name JIT-compiled methods.
DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1 perf record -q -F 4000 -g -o "$out/perf.data" \
    dotnet "$cli" replay "$trace" --repeat "$repeat" --json > /dev/null 2> /dev/null
perf report -i "$out/perf.data" --no-children --sort symbol -p 'TraceReplayer::Replay' -x --stdio -g none 2> /dev/null \
    | grep -E '^ +[0-9.]+%' > "$out/symbols.txt"
awk -v ns="$ns" -v trace="$(basename "$trace")" '
{
    # The line ends with the IPC columns and the parent (the replay loop itself): keep the symbol only.
    pct = $1; sub("%", "", pct); line = $0; sub(/ +- +- +.*$/, "", line); c = "heap logic (split, merge, counters, segments)";
    if (line ~ /TraceReplayer::Replay|TraceStepper/) c = "replay loop (trace bookkeeping)";
    else if (line ~ /FreeBlockStore::/) c = "free index: vouching (out-of-line part)";
    else if (line ~ /AugmentedTree.*::(LowestFit|NextFit|Floor|Ceiling|Neighbours|Find|Predecessor|Successor)\(/) c = "free index: search";
    else if (line ~ /AugmentedTree.*::(Update|Balance|Rebalance|Insert|Remove|Transplant|RotateLeft|RotateRight|Moved|MovedAndGrew|Relink|Replace|SizeChanged|SizeChangedAbove|SizeGrew|HeightOf|Minimum)\(/) c = "free index: update";
    else if (line ~ /FreeIndex|SizeClass/) c = "free index: other";
    else if (line ~ /KernelHeap.*::(CheckWord|ReadHeader|WriteHeader|ValidatePointer|NextIsFree|FreeCopy|WriteFree)\(/) c = "header checks";
    else if (line ~ /HeapLock|LayerLock|Interlocked/) c = "lock";
    else if (line ~ /MemoryWindow::Zero|memset/) c = "zeroing (calloc)";
    else if (line ~ /memmove|memcpy|KernelHeap.*::Copy\(/) c = "copying (realloc)";
    else if (line ~ /MemoryWindow::/) c = "memory window";
    else if (line ~ /\] [^ ]+ \[MioOS.Memory\] MioOS.Memory.Heap.KernelHeap/ || line ~ /KernelHeap.*::/) c = "heap logic (split, merge, counters, segments)";
    else if (line ~ /MioOS.Memory.(Physical|Virtual)|PmmHeapGrowth|Hosting.Cpu|SimulatedCpu/) c = "growth (PMM, VMM)";
    else if (line ~ /\[k\]/) c = "host kernel (first touch of simulated RAM)";
    else if (line !~ /KernelHeap|HeapLayout/) c = "other";
    share[c] += pct; total += pct;
}
END {
    printf "%s: %.1f ns per event (median of the replays, CPU time)\n", trace, ns;
    for (c in share) printf "  %-48s %5.1f%%  %6.1f ns\n", c, 100 * share[c] / total, ns * share[c] / total;
}' "$out/symbols.txt" | { read -r head; echo "$head"; sort -t'%' -k1 -rn -k2; }
