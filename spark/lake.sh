#!/usr/bin/env bash
# Spark SQL over the lake: bash spark/lake.sh query "<SQL>" | history <table> | tables
# S3 settings: the environment (S3_ENDPOINT, AWS_*), else local-stack/env.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source spark/python-env.sh
exec "$python" -m ledgerflow_spark.lake "$@"
