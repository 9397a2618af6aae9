#!/usr/bin/env bash
# The fair comparison: every trace of data/traces replayed by one small C program (replay.c), the same binary in
# one process per run, LD_PRELOAD selecting the malloc: glibc's (none), ours (libmioos_malloc.so), jemalloc
# (libjemalloc.so.2) and mimalloc (libmimalloc.so.2); runs interleaved, medians of the replay's CPU ns per event
# (the wall clock also counts the time a run waited for a core on a shared machine) and of its peak RSS. Then the
# real programs of the malloc tests under each malloc, median wall time of the whole command. One Markdown table.
#
#   bench/malloc-compare/run.sh [RUNS]      (default 5; prints one Markdown table)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/MioOS.Memory.Malloc -c Release -nologo -v:q >/dev/null
ours=$PWD/artifacts/lib/linux-x64/libmioos_malloc.so
find_lib() { ldconfig -p | awk -v n="$1" '$1 == n { print $NF; exit }'; }
jemalloc=$(find_lib libjemalloc.so.2)
mimalloc=$(find_lib libmimalloc.so.2)
[ -n "$jemalloc" ] && [ -n "$mimalloc" ] || { echo "malloc-compare: libjemalloc2 and libmimalloc2.0 are needed (scripts/debian-packages)" >&2; exit 2; }
gcc -O2 -o "$work/replay" bench/malloc-compare/replay.c

names=(glibc mioos jemalloc mimalloc)
preloads=("" "$ours" "$jemalloc" "$mimalloc")
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "malloc-compare: $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each (medians)"
echo
echo "| workload | glibc | mioos (ours) | jemalloc | mimalloc | ours / glibc |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
ratio() { awk -v g="$1" -v o="$2" 'BEGIN { printf "%.2f", o / g }'; }

# Traces: CPU ns per event of the replay loop (wall ns in the raw files) and the replay's peak RSS.
for trace in data/traces/*.trace.gz; do
    name=$(basename "$trace" .trace.gz)
    zcat "$trace" > "$work/trace"
    for ((r = 0; r < runs; r++)); do
        for i in "${!names[@]}"; do
            LD_PRELOAD=${preloads[$i]} "$work/replay" "$work/trace" >> "$work/$name.${names[$i]}"
        done
    done
    row="| $name (trace): CPU ns/event, peak RSS"
    for i in "${!names[@]}"; do
        f="$work/$name.${names[$i]}"
        cpu[$i]=$(awk '{print $6}' "$f" | median)
        row="$row | ${cpu[$i]} ns, $(awk '{print $8}' "$f" | median) KiB"
    done
    echo "$row | $(ratio "${cpu[0]}" "${cpu[1]}") |"
done

# The real programs of the malloc tests (tests/MioOS.Memory.Tests/Malloc/programs): wall ms of the whole command.
programs=tests/MioOS.Memory.Tests/Malloc/programs
gcc -O2 -w -pthread -o "$work/threads" "$programs/threads.c"
commands=(
    "python3 workload.py|env PYTHONMALLOC=malloc /usr/bin/python3 $programs/workload.py"
    "python3 threads.py|env PYTHONMALLOC=malloc /usr/bin/python3 $programs/threads.py"
    "gcc -O2 -S threads.c|gcc -O2 -S -o /dev/null $programs/threads.c"
    "git-workload.sh|sh -c 'd=\$(mktemp -d) && cd \$d && sh $PWD/$programs/git-workload.sh && rm -rf \$d'"
    "perl wordfreq.pl|perl $programs/wordfreq.pl"
    "sqlite3 workload.sql|sh -c 'sqlite3 :memory: < $programs/workload.sql'"
    "threads.c (8 threads, fork)|$work/threads"
)
milliseconds() {
    local start end
    start=$(date +%s%N)
    LD_PRELOAD=$1 bash -c "$2" >/dev/null 2>&1 || echo "malloc-compare: failed with LD_PRELOAD=$1: $2" >&2
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 ))"
}
for entry in "${commands[@]}"; do
    label=${entry%%|*}
    command=${entry#*|}
    for i in "${!names[@]}"; do : > "$work/p.${names[$i]}"; done
    for ((r = 0; r < runs; r++)); do
        for i in "${!names[@]}"; do
            milliseconds "${preloads[$i]}" "$command" >> "$work/p.${names[$i]}"
        done
    done
    row="| $label: wall ms"
    for i in "${!names[@]}"; do
        ms[$i]=$(median < "$work/p.${names[$i]}")
        row="$row | ${ms[$i]}"
    done
    echo "$row | $(ratio "${ms[0]}" "${ms[1]}") |"
done
