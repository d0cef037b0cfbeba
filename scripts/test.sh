#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, types, lint, unit, integration (real git, QEMU, kernel
# builds), end to end (Chromium). Integration and e2e files run one at a time: they share two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
step() { printf '\n== %s\n' "$*"; }
step "typecheck";   npx tsc -b
step "lint";        npx eslint .
step "unit";        npx vitest run --project unit
step "integration"; npx vitest run --project integration --no-file-parallelism
step "e2e";         npx vitest run --project e2e --no-file-parallelism
