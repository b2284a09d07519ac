#!/usr/bin/env bash
# Spark tests: real Spark + Delta, local folders and the local MinIO (npm run stack:up).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${LEDGERFLOW_PYTHON:-.stack/venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "no Spark venv at $python: run 'npm run stack:install' first" >&2
  exit 1
fi
if ! "$python" -c "import pandas, pyarrow" 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check -r spark/requirements-test.txt
fi
export TZ=UTC PYARROW_IGNORE_TIMEZONE=1 PYTHONPATH="spark${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
exec "$python" -m pytest -p no:cacheprovider spark/tests "$@"
