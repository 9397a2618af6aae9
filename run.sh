#!/usr/bin/env bash
# mioos-mm from the sources: with no arguments the main job, `mioos-mm boot`; otherwise the arguments are the
# command (./run.sh meminfo -m 5G, ./run.sh qemu --grub). `qemu` first installs what the kernel needs.
set -euo pipefail
cd "$(dirname "$0")"
[ $# -gt 0 ] || set -- boot
if [ "$1" = qemu ]; then scripts/setup.sh; else command -v dotnet >/dev/null || scripts/setup.sh; fi
exec dotnet run --project src/MioOS.Memory.Cli -c Release -- "$@"
