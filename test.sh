#!/usr/bin/env bash
# The whole test suite on a machine with only the .NET SDK: installs the missing Debian packages
# (scripts/debian-packages), then runs the tests. Arguments go to dotnet test (e.g. --filter Cli).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec dotnet test tests/MioOS.Memory.Tests -c Release "$@"
