#!/usr/bin/env bash
# `npm run demo`: the first command on a fresh clone, so it installs the Node
# dependencies itself before tools/demo.ts (which installs and starts the rest).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/node-modules.sh

ensure_node_modules
# Node with tsx's loader rather than the tsx CLI: the CLI kills its child outright on Ctrl-C
# when it does not answer within 30 ms, and the demo must live on to stop what it started.
exec node --import tsx tools/demo.ts "$@"
