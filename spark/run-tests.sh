#!/usr/bin/env bash
# Spark tests: real Spark + Delta, local folders and the local MinIO (npm run stack:up).
set -euo pipefail
cd "$(dirname "$0")/.."
source spark/python-env.sh
if ! "$python" -c "import pandas, pyarrow, xdist" 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check -r spark/requirements-test.txt
fi
export PYARROW_IGNORE_TIMEZONE=1
# Test paths among the arguments (spark/tests/test_merge.py ...) replace the whole folder.
tests=spark/tests
for argument in "$@"; do
  if [[ $argument == spark/* ]]; then tests=; fi
done
# The ten slowest tests are listed at the end: the Spark step is the longest of npm test.
# Two workers, each with its own Spark session, take a test file at a time (module fixtures
# build their tables once): one session keeps only about 1.4 of two cores busy.
workers="${LEDGERFLOW_SPARK_TEST_WORKERS:-2}"
exec "$python" -m pytest -p no:cacheprovider -n "$workers" --dist loadfile --durations=10 $tests "$@"
