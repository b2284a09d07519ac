"""Health check of Spark + Delta Lake on the local S3: write a tiny Delta table, read it back.

Run by `npm run stack:up` with the stack's venv; settings come from the environment
(S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, LAKE_BUCKET, LEDGERFLOW_SPARK_JARS).
Every jar is local, so the check needs no network. It does not use the project's
session factory (spark/ledgerflow_spark/session.py) on purpose: it checks the stack
(venv, jars, MinIO), and must keep working whatever the project's code does.
"""

import glob
import os
import sys

from pyspark.sql import SparkSession


def main() -> int:
    jars = sorted(glob.glob(os.path.join(os.environ["LEDGERFLOW_SPARK_JARS"], "*.jar")))
    if not jars:
        print("no jars in LEDGERFLOW_SPARK_JARS", file=sys.stderr)
        return 1
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("ledgerflow-stack-health")
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
        path = f"s3a://{os.environ['LAKE_BUCKET']}/_health/delta"
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
