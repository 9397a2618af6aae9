#!/usr/bin/env bash
# Mutation testing of the core (src/MioOS.Memory) with Stryker.NET, one folder per run:
#   scripts/mutation.sh FOLDER [CONCURRENCY]     FOLDER: Boot BringUp Collections Heap Physical Platform Virtual
# Mutants of src/MioOS.Memory/FOLDER are run against the fast hosted tests only (FAST_TESTS below: no QEMU, no
# kernel/C library/malloc builds, no real programs, no browser, and none of the slow property and trace tests,
# except the tree's own), each mutant against the tests that cover it (coverage analysis perTest).
# Report: artifacts/mutation/FOLDER/reports/mutation-report.{html,json}; the score is on the last lines printed.
# MUTATION_FILES (a glob under the folder, default **/*.cs) and MUTATION_TESTS (a dotnet test filter, default
# FAST_TESTS) narrow a run, e.g.  MUTATION_FILES=MemoryMapSanitizer.cs MUTATION_TESTS='FullyQualifiedName~.Boot.' scripts/mutation.sh Boot
# Not part of CI (docs/reliability.md, "Mutation score", has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: scripts/mutation.sh FOLDER [CONCURRENCY]}
concurrency=${2:-2}
[ -d "src/MioOS.Memory/$folder" ] || { echo "mutation: no folder src/MioOS.Memory/$folder"; exit 2; }

# Test classes left out, by reason: they boot QEMU or build and run the kernel, the C library, the malloc library,
# real programs or a browser (CLib, Malloc, Metal, Explore, Qemu/Run commands), take several threads for seconds
# (stress), check the README (Help), or take more than 5 s on their own (heap, VMM and PMM property tests over
# random sequences, real traces, real maps): a surviving mutant runs every test that covers it.
FAST_TESTS='FullyQualifiedName!~.CLib.&FullyQualifiedName!~.Malloc.&FullyQualifiedName!~.Metal.&FullyQualifiedName!~.Explore.&FullyQualifiedName!~.Fuzz.'
FAST_TESTS+='&FullyQualifiedName!~QemuCommandTests&FullyQualifiedName!~RunCommandTests&FullyQualifiedName!~StressCommandTests&FullyQualifiedName!~ContentionStressTests&FullyQualifiedName!~HelpTests'
FAST_TESTS+='&FullyQualifiedName!~MapCommandTests&FullyQualifiedName!~ReplayCommandTests'
FAST_TESTS+='&FullyQualifiedName!~HeapPropertyTests&FullyQualifiedName!~VmmPropertyTests&FullyQualifiedName!~AddressSpacePropertyTests&FullyQualifiedName!~PmmPropertyTests&FullyQualifiedName!~RealMapTests'
FAST_TESTS+='&FullyQualifiedName!~TraceModelTests&FullyQualifiedName!~TraceReplayTests&FullyQualifiedName!~TraceStepperTests'

files=${MUTATION_FILES:-**/*.cs}
tests=${MUTATION_TESTS:-$FAST_TESTS}
out="$PWD/artifacts/mutation/$folder"
rm -rf "$out"
cd tests/MioOS.Memory.Tests
dotnet tool restore >/dev/null
start=$(date +%s)
dotnet dotnet-stryker \
  --project MioOS.Memory.csproj \
  --mutate "**/$folder/$files" \
  --test-case-filter "$tests" \
  --concurrency "$concurrency" \
  --reporter html --reporter json --reporter progress --reporter cleartext \
  --skip-version-check \
  --output "$out" \
  --config-file "$PWD/stryker-config.json"
echo "mutation: $folder took $(( $(date +%s) - start )) s; report $out/reports/mutation-report.html"
