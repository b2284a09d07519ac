"""Delta on the local stack's MinIO over s3a (npm run stack:up must be running)."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from ledgerflow_spark.lake import named_tables, register_tables
from ledgerflow_spark.layout import batch_object_key, table_path
from ledgerflow_spark.maintenance import maintain_table
from ledgerflow_spark.merge import run_merge
from ledgerflow_spark.session import s3_client, with_local_stack_defaults

from .landing import upsert


@pytest.fixture(scope="module")
def s3_env():
    return with_local_stack_defaults(os.environ)


@pytest.fixture(scope="module")
def s3(s3_env):
    return s3_client(s3_env)


@pytest.fixture
def s3_prefix(s3, s3_env):
    """A fresh prefix in the lake bucket, (bucket, prefix); its objects are removed after the test."""
    bucket, prefix = s3_env["LAKE_BUCKET"], f"tests/spark/{uuid.uuid4().hex}"
    yield bucket, prefix
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


@pytest.fixture
def s3_root(s3_prefix):
    bucket, prefix = s3_prefix
    return f"s3a://{bucket}/{prefix}"


def test_writes_a_delta_table_to_minio_reads_it_back_and_shows_its_history(spark, s3_root):
    path = f"{s3_root}/table"
    rows = [("p1", "motor"), ("p2", "home")]

    spark.createDataFrame(rows, "policyId string, product string").write.format("delta").save(path)
    spark.createDataFrame([("p3", "life")], "policyId string, product string").write.format("delta").mode("append").save(path)

    assertDataFrameEqual(spark.read.format("delta").load(path), rows + [("p3", "life")])
    history = DeltaTable.forPath(spark, path).history().select("version", "operation").collect()
    assert sorted((row.version, row.operation) for row in history) == [(0, "WRITE"), (1, "WRITE")]


def test_merges_landing_objects_from_minio_into_queryable_tables(spark, s3, s3_prefix, s3_root):
    root = s3_root
    key = batch_object_key("landing", "transactions", "ingest.transactions", 0, 0, 1)
    lines = [upsert("m1", "2026-03-01T10:00:00.000Z", 0, amount="99.99"), upsert("m1", "2026-03-01T11:00:00.000Z", 1, amount="100.01")]
    bucket, prefix = s3_prefix
    s3.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body="".join(json.dumps(line) + "\n" for line in lines).encode())

    result = run_merge(spark, root, "transactions", [key])
    names = register_tables(spark, root)

    assert {"raw.transactions", "curated.transactions"} <= set(names)
    assert register_tables(spark, root, named_tables("SELECT count(*) FROM raw.transactions")) == ["raw.transactions"]
    assertDataFrameEqual(spark.sql("SELECT transactionId, CAST(amount AS STRING) AS amount FROM curated.transactions"), [("m1", "100.010000")])
    assert maintain_table(spark, table_path(root, "curated", "transactions"))["vacuumRetainHours"] == 168
    assert result.raw_rows_loaded == 2
    assert spark.sql("SELECT count(*) AS n FROM raw.transactions").first().n == 2
    assert spark.read.format("delta").load(table_path(root, "curated", "transactions")).where(F.col("_is_deleted")).count() == 0
