"""Health check of Spark + Delta Lake on the local S3: write a tiny Delta table, read it back.

Run by `local-services up` and `status --deep` with the stack's venv:
    python spark_health.py --bucket <bucket> --jars <folder of jars>
S3 settings come from the environment (S3_ENDPOINT, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY). Every jar is local, so the check needs no network. It uses no
project code on purpose: it checks the stack (venv, jars, MinIO).
"""

import argparse
import glob
import os
import sys

from pyspark.sql import SparkSession


def main() -> int:
    parser = argparse.ArgumentParser(description="Write and read a Delta table on the stack's S3.")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--jars", required=True, help="folder of the jars every session gets")
    args = parser.parse_args()
    jars = sorted(glob.glob(os.path.join(args.jars, "*.jar")))
    if not jars:
        print(f"no jars in {args.jars}", file=sys.stderr)
        return 1
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("local-services-health")
        .config("spark.jars", ",".join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # Delta reads its log with 50 tasks by default: far too many for three rows.
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.hadoop.fs.s3a.endpoint", os.environ["S3_ENDPOINT"])
        .config("spark.hadoop.fs.s3a.path.style.access", "true")
        .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
        .config("spark.hadoop.fs.s3a.access.key", os.environ["AWS_ACCESS_KEY_ID"])
        .config("spark.hadoop.fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
        .config("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
        .getOrCreate()
    )
    try:
        path = f"s3a://{args.bucket}/_health/delta"
        spark.range(3).write.format("delta").mode("overwrite").save(path)
        count = spark.read.format("delta").load(path).count()
        if count != 3:
            print(f"read back {count} rows from {path}, expected 3", file=sys.stderr)
            return 1
        print(f"delta table {path}: wrote and read 3 rows")
        return 0
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
