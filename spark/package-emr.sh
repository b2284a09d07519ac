#!/usr/bin/env bash
# Builds the merge job for EMR Serverless into dist/spark/ (merge_job.py and
# ledgerflow_spark.zip) and, given an s3:// prefix, uploads it there:
#   bash spark/package-emr.sh s3://<stack>-lake-<account>-<region>/artifacts/spark/
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/spark
rm -rf "$out" && mkdir -p "$out"
cp spark/merge_job.py "$out/"
(cd spark && zip -qr "../$out/ledgerflow_spark.zip" ledgerflow_spark -x '*/__pycache__/*')
echo "built $out: $(ls "$out" | tr '\n' ' ')"
if [ $# -gt 0 ]; then
  aws s3 cp --recursive "$out" "${1%/}/"
fi
