#!/usr/bin/env bash
# The whole suite from a fresh clone: installs what is missing, then unit, template,
# integration (Kafka, MinIO, Spark + Delta), runtime, end-to-end and fault-injection tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "install node dependencies"
source tools/node-modules.sh
ensure_node_modules

step "lint and type-check"
npm run --silent lint

step "unit tests"
npm run --silent test:unit

step "install the local stack (Kafka, MinIO, Spark, SAM CLI, cfn-lint)"
npm run --silent stack:install

step "start the local stack"
started_stack=0
if ! npm run --silent stack:status -- --quiet; then
  npm run --silent stack:up
  started_stack=1
fi
stop_stack() { if [ "$started_stack" = 1 ]; then npm run --silent stack:down || true; fi; }
trap stop_stack EXIT

# The template checks and the Chromium install hardly use the cores: they run beside the
# Spark tests, the longest step, and their output follows it.
checks_log=.stack/logs/template-and-chromium.log
(npm run --silent test:template && bash tools/ensure-chromium.sh) >"$checks_log" 2>&1 &
checks=$!

step "Spark tests (pytest, real Spark + Delta on MinIO), with the template checks beside them"
npm run --silent test:spark

step "template: cfn-lint, sam validate --lint, sam build; headless Chromium for the /docs browser test (Debian package)"
checks_status=0
wait "$checks" || checks_status=$?
cat "$checks_log"
if [ "$checks_status" != 0 ]; then
  echo "the template checks or the Chromium install failed (exit $checks_status)" >&2
  exit "$checks_status"
fi

step "integration tests (real Kafka, MinIO, Docker-free runtime)"
npm run --silent test:integration

step "end-to-end tests"
npm run --silent test:e2e

step "fault-injection tests (components killed and restarted under load, then reconciled)"
npm run --silent test:faults

step "benchmarks at a tiny size (they still work)"
npm run --silent bench -- --tiny --out .stack/bench-smoke.json

step "all tests passed"
