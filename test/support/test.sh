#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what it needs, builds, runs every suite
# (unit, integration, e2e in a real VS Code) in one node test run, so its summary covers everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/support/setup.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
bash test/support/setupCodeServer.sh
npm run --silent build >/dev/null
npm run --silent typecheck
npm run --silent lint
node test/support/runTests.mjs unit integration e2e
