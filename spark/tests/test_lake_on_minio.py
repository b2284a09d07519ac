"""Delta on the local stack's MinIO over s3a (npm run stack:up must be running)."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from ledgerflow_spark.lake import register_tables
from ledgerflow_spark.maintenance import maintain_table
from ledgerflow_spark.merge import run_merge
from ledgerflow_spark.session import with_local_stack_defaults

from .landing import upsert


@pytest.fixture(scope="module")
def s3_env():
    return with_local_stack_defaults(os.environ)


@pytest.fixture
def s3_root(spark, s3_env):
    """A fresh prefix in the lake bucket, removed after the test."""
    root = f"s3a://{s3_env['LAKE_BUCKET']}/tests/spark/{uuid.uuid4().hex}"
    yield root
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(root)
    path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)


def test_writes_a_delta_table_to_minio_reads_it_back_and_shows_its_history(spark, s3_root):
    path = f"{s3_root}/table"
    rows = [("p1", "motor"), ("p2", "home")]

    spark.createDataFrame(rows, "policyId string, product string").write.format("delta").save(path)
    spark.createDataFrame([("p3", "life")], "policyId string, product string").write.format("delta").mode("append").save(path)

    assertDataFrameEqual(spark.read.format("delta").load(path), rows + [("p3", "life")])
    history = DeltaTable.forPath(spark, path).history().select("version", "operation").collect()
    assert sorted((row.version, row.operation) for row in history) == [(0, "WRITE"), (1, "WRITE")]


def test_merges_landing_objects_from_minio_into_queryable_tables(spark, s3_root):
    root = s3_root
    key = "landing/transactions/ingest.transactions/partition=0/00000000000000000000-00000000000000000001.ndjson"
    lines = [upsert("m1", "2026-03-01T10:00:00.000Z", 0, amount="99.99"), upsert("m1", "2026-03-01T11:00:00.000Z", 1, amount="100.01")]
    spark.createDataFrame([(json.dumps(line),) for line in lines], "value string").coalesce(1).write.text(f"{root}/staging")
    staged = [f for f in _list(spark, f"{root}/staging") if f.endswith(".txt")][0]
    _rename(spark, staged, f"{root}/{key}")

    result = run_merge(spark, root, "transactions", [key])
    names = register_tables(spark, root)

    assert {"raw.transactions", "curated.transactions"} <= set(names)
    assertDataFrameEqual(spark.sql("SELECT transactionId, CAST(amount AS STRING) AS amount FROM curated.transactions"), [("m1", "100.010000")])
    assert maintain_table(spark, f"{root}/tables/curated/transactions")["vacuumRetainHours"] == 168
    assert result.raw_rows_loaded == 2
    assert spark.sql("SELECT count(*) AS n FROM raw.transactions").first().n == 2
    assert spark.read.format("delta").load(f"{root}/tables/curated/transactions").where(F.col("_is_deleted")).count() == 0


def _list(spark, uri):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return [status.getPath().toString() for status in fs.listStatus(path)]


def _rename(spark, source, target):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(source)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.mkdirs(jvm.org.apache.hadoop.fs.Path(target).getParent())
    assert fs.rename(path, jvm.org.apache.hadoop.fs.Path(target))
