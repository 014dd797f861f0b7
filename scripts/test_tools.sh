#!/usr/bin/env bash
# The test suite's own tools (tests/tools/package.json, pinned in its package-lock.json):
# axe-core for the accessibility tests and vnu-jar (the Nu Html Checker) for the markup
# tests, installed from npm into tests/tools/node_modules. `make test` runs this first; it
# does nothing when they are already installed. Never served, never vendored.
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"

stamp=node_modules/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "test tools: npm is not installed; the axe and vnu tests will fail" >&2
  exit 1
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
touch "$stamp"
