#!/usr/bin/env bash
# Spark tests: real Spark + Delta, local folders and the local MinIO (npm run stack:up).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${LEDGERFLOW_PYTHON:-.stack/venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "no Spark venv at $python: run 'npm run stack:install' first" >&2
  exit 1
fi
export TZ=UTC PYARROW_IGNORE_TIMEZONE=1 PYTHONPATH="spark${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
exec "$python" -m pytest -p no:cacheprovider spark/tests "$@"
