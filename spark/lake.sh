#!/usr/bin/env bash
# Spark SQL over the lake: bash spark/lake.sh query "<SQL>" | history <table> | tables
# S3 settings: the environment (S3_ENDPOINT, AWS_*), else local-stack/env.json.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${LEDGERFLOW_PYTHON:-.stack/venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "no Spark venv at $python: run 'npm run stack:install' first" >&2
  exit 1
fi
export TZ=UTC PYTHONPATH="spark${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
exec "$python" -m ledgerflow_spark.lake "$@"
