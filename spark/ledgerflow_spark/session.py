"""The one Spark session factory: Delta Lake, s3a for S3 or MinIO, small local defaults.

Every Spark setting of the project lives here; jobs, the job service, the lake CLI and
the tests all call ``build_session``. Settings come from the environment:

- ``S3_ENDPOINT``: an S3-compatible endpoint such as MinIO (empty: AWS S3)
- ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``: static credentials (empty: the
  default AWS provider chain, e.g. the EMR Serverless job role)
- ``AWS_REGION``: region for s3a
- ``LEDGERFLOW_SPARK_JARS``: folder with delta-spark, delta-storage, hadoop-aws and the
  AWS SDK bundle (default ``.stack/jars`` of the repository); ignored when absent, as on
  EMR Serverless where the job's ``--packages`` or image supply them
- ``LEDGERFLOW_SPARK_MASTER`` (default ``local[*]``), ``LEDGERFLOW_SPARK_DRIVER_MEMORY``
  (default ``2g``), ``LEDGERFLOW_SHUFFLE_PARTITIONS`` (default ``4``)
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from pyspark.sql import SparkSession

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JARS = REPO_ROOT / ".stack" / "jars"


LOCAL_STACK_ENV_JSON = REPO_ROOT / "local-stack" / "env.json"


def with_local_stack_defaults(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment, completed with the local stack's S3 and reference database settings, bucket and job
    service token from local-stack/env.json (the one place they are written) for what it does not set."""
    if not LOCAL_STACK_ENV_JSON.is_file():
        return dict(env)
    document = json.loads(LOCAL_STACK_ENV_JSON.read_text(encoding="utf-8"))
    parameters = document.get("Parameters", {})
    names = ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")
    defaults = {name: parameters[name] for name in names if name in parameters}
    bucket = document.get("ValidateFunction", {}).get("LAKE_BUCKET")
    if bucket:
        defaults["LAKE_BUCKET"] = bucket
    job_service_token = document.get("MergeTriggerFunction", {}).get("JOB_SERVICE_TOKEN")
    if job_service_token:
        defaults["JOB_SERVICE_TOKEN"] = job_service_token
    return {**defaults, **{name: value for name, value in env.items() if value}}


def s3_client(env: Mapping[str, str] = os.environ):
    """A boto3 S3 client with the endpoint, region and credentials the Spark session uses for s3a."""
    import boto3

    settings = with_local_stack_defaults(env)
    return boto3.client(
        "s3",
        endpoint_url=settings.get("S3_ENDPOINT") or None,
        region_name=settings.get("AWS_REGION") or None,
        aws_access_key_id=settings.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=settings.get("AWS_SECRET_ACCESS_KEY") or None,
    )


def _jars(folder: str) -> list[str]:
    path = Path(folder)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return sorted(str(jar) for jar in path.glob("*.jar")) if path.is_dir() else []


def under_spark_submit(env: Mapping[str, str] = os.environ) -> bool:
    """True when spark-submit (EMR Serverless, the Docker image) started this driver:
    the cluster manager then owns master, memory and parallelism."""
    return "PYSPARK_GATEWAY_PORT" in env


DEFAULT_TARGET_FILE_MB = 8


def target_file_bytes(env: Mapping[str, str] = os.environ) -> int:
    """The data file size compaction aims at (``LEDGERFLOW_TARGET_FILE_MB``, default 8)."""
    text = env.get("LEDGERFLOW_TARGET_FILE_MB", str(DEFAULT_TARGET_FILE_MB))
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"LEDGERFLOW_TARGET_FILE_MB must be a whole number of megabytes, at least 1; got {text!r}")
    return int(text) * 1024 * 1024


def spark_settings(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """All Spark and Hadoop settings, derived from the environment (pure, testable)."""
    local = not under_spark_submit(env)
    target_file = str(target_file_bytes(env))
    settings = {
        "spark.app.name": env.get("LEDGERFLOW_SPARK_APP", "ledgerflow"),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        # New optional fields in a contract reach the tables without a manual ALTER.
        "spark.databricks.delta.schema.autoMerge.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.fast.upload": "true",
        "spark.hadoop.fs.s3a.connection.maximum": "64",
        # A MERGE rewrites every file holding a key it updates, so file size bounds what a
        # small merge costs: compaction (automatic and OPTIMIZE) aims at files a merge
        # rewrites in seconds instead of Delta's 128 MB and 1 GB defaults.
        "spark.databricks.delta.autoCompact.maxFileSize": target_file,
        "spark.databricks.delta.optimize.maxFileSize": target_file,
    }
    if local:
        # A small local driver: few partitions, no UI, no warehouse folder in the checkout.
        settings.update(
            {
                "spark.sql.shuffle.partitions": env.get("LEDGERFLOW_SHUFFLE_PARTITIONS", "4"),
                "spark.default.parallelism": env.get("LEDGERFLOW_SHUFFLE_PARTITIONS", "4"),
                "spark.driver.memory": env.get("LEDGERFLOW_SPARK_DRIVER_MEMORY", "2g"),
                "spark.databricks.delta.snapshotPartitions": "4",
                "spark.ui.enabled": "false",
                "spark.driver.bindAddress": "127.0.0.1",
                "spark.driver.host": "127.0.0.1",
                "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "ledgerflow-spark-warehouse"),
            }
        )
    elif env.get("LEDGERFLOW_SHUFFLE_PARTITIONS"):
        settings["spark.sql.shuffle.partitions"] = env["LEDGERFLOW_SHUFFLE_PARTITIONS"]
    endpoint = env.get("S3_ENDPOINT", "")
    if endpoint:
        settings["spark.hadoop.fs.s3a.endpoint"] = endpoint
        settings["spark.hadoop.fs.s3a.path.style.access"] = "true"
        settings["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(endpoint.startswith("https://")).lower()
        # A local endpoint that is down should fail a job in seconds, not after minutes of retries.
        settings["spark.hadoop.fs.s3a.attempts.maximum"] = "3"
        settings["spark.hadoop.fs.s3a.retry.limit"] = "3"
        settings["spark.hadoop.fs.s3a.connection.establish.timeout"] = "5000"
        # A paused endpoint takes connections and never answers: without a read timeout
        # (Hadoop's default is 200 s per attempt) a merge holds its table for many minutes.
        settings["spark.hadoop.fs.s3a.connection.timeout"] = "20000"
    if env.get("AWS_REGION"):
        settings["spark.hadoop.fs.s3a.endpoint.region"] = env["AWS_REGION"]
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        settings["spark.hadoop.fs.s3a.aws.credentials.provider"] = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
        settings["spark.hadoop.fs.s3a.access.key"] = env["AWS_ACCESS_KEY_ID"]
        settings["spark.hadoop.fs.s3a.secret.key"] = env["AWS_SECRET_ACCESS_KEY"]
    jars = _jars(env.get("LEDGERFLOW_SPARK_JARS", str(DEFAULT_JARS))) if local else []
    if jars:
        settings["spark.jars"] = ",".join(jars)
    return settings


def build_session(env: Mapping[str, str] = os.environ, master: str | None = None) -> SparkSession:
    """The Spark session with Delta and s3a configured; reuses a running one."""
    builder = SparkSession.builder
    if master or not under_spark_submit(env):
        builder = builder.master(master or env.get("LEDGERFLOW_SPARK_MASTER", "local[*]"))
    for key, value in spark_settings(env).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(env.get("LEDGERFLOW_SPARK_LOG_LEVEL", "WARN"))
    return spark


@contextmanager
def spark_session(env: Mapping[str, str] = os.environ) -> Iterator[SparkSession]:
    """The session of one command, stopped when the command ends, also on an error."""
    spark = build_session(env=env)
    try:
        yield spark
    finally:
        spark.stop()
