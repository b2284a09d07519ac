#!/usr/bin/env bash
# Builds the Spark jobs for EMR Serverless into dist/spark/ (merge_job.py, gold_job.py,
# ledgerflow_spark.zip and the PostgreSQL JDBC driver that npm run stack:install fetched)
# and, given an s3:// prefix, uploads them there:
#   bash spark/package-emr.sh s3://<stack>-lake-<account>-<region>/artifacts/spark/
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/spark
rm -rf "$out" && mkdir -p "$out"
cp spark/merge_job.py spark/gold_job.py "$out/"
cp .stack/jars/postgresql-*.jar "$out/"
(cd spark && zip -qr "../$out/ledgerflow_spark.zip" ledgerflow_spark -x '*/__pycache__/*')
echo "built $out: $(ls "$out" | tr '\n' ' ')"
if [ $# -gt 0 ]; then
  aws s3 cp --recursive "$out" "${1%/}/"
fi
