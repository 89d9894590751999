#!/usr/bin/env bash
# Sets everything up, builds with warnings as errors and runs every test:
# runtime unit and stress tests (also under ThreadSanitizer and
# AddressSanitizer+UndefinedBehaviorSanitizer), plugin lit tests, end-to-end
# programs.  The last line is ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
WS_CMAKE_ARGS="-DWS_WERROR=ON ${WS_CMAKE_ARGS:-}" "$root/scripts/setup.sh"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
