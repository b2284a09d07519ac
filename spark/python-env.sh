# Sourced by the Spark scripts: the venv's Python (from npm run stack:install) and the
# environment the ledgerflow_spark package runs with. Run from the repository root.
python="${LEDGERFLOW_PYTHON:-.stack/venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "no Spark venv at $python: run 'npm run stack:install' first" >&2
  exit 1
fi
export TZ=UTC PYTHONPATH="spark${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
