"""Warm Delta MERGE of landing objects into a seeded curated table, against a plain append.

    PYTHONPATH=spark .stack/venv/bin/python bench/merge_bench.py <manifest.json>

The manifest (written by bench/stages/merge.ts) names the bucket, the seed objects and
one object set per measured size. In one warm Spark session, built by the project's
session factory (spark/ledgerflow_spark/session.py):

1. the curated table is seeded once with ``run_merge`` over the seed objects (kept
   between runs: a table property records which seed it holds);
2. a warm-up merge and append of a small set, then the raw, curated and ledger tables
   are restored to their seeded versions;
3. per size: restore raw, curated and ledger to the seeded versions, time ``run_merge`` over
   the size's objects (the function the job service runs), then time a plain Delta
   append of the same landing lines to a separate table.

Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time

import boto3

from delta.tables import DeltaTable
from pyspark.sql import functions as F

from ledgerflow_spark.layout import LANDING_PREFIX, TABLES_PREFIX, bucket_root, ledger_path, table_path
from ledgerflow_spark.formats import LANDING_LINE, read_lines
from ledgerflow_spark.merge import run_merge
from ledgerflow_spark.session import build_session, with_local_stack_defaults

SEED_PROPERTY = "ledgerflow.bench.seed"


def table_property(spark, path: str, name: str) -> str | None:
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    properties = DeltaTable.forPath(spark, path).detail().select("properties").first()[0] or {}
    return properties.get(name)


def latest_version(spark, path: str) -> int:
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]


def s3_client():
    """An S3 client with the settings the Spark session uses for s3a."""
    env = with_local_stack_defaults(os.environ)
    return boto3.client(
        "s3",
        endpoint_url=env.get("S3_ENDPOINT") or None,
        region_name=env.get("AWS_REGION") or None,
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
    )


def delete_tree(uri: str) -> None:
    """Deletes every object under an ``s3a://bucket/prefix`` URI (a table of the bench bucket)."""
    bucket, _, prefix = uri.removeprefix("s3a://").partition("/")
    s3 = s3_client()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def restore(spark, path: str, version: int) -> None:
    if latest_version(spark, path) != version:
        DeltaTable.forPath(spark, path).restoreToVersion(version)


def main(manifest_path: str) -> int:
    manifest = json.loads(open(manifest_path, encoding="utf-8").read())
    bucket, source = manifest["bucket"], manifest["source"]
    root = bucket_root(bucket)
    raw_path, curated_path = table_path(root, "raw", source), table_path(root, "curated", source)
    ledger = ledger_path(root, source)
    source_tables = [*(table_path(root, layer, source) for layer in ("raw", "curated", "quarantine")), ledger]
    append_path = f"{root}/{TABLES_PREFIX}bench-append/{source}"
    out: dict = {"seed": {"rows": manifest["seed"]["rows"]}}

    started = time.perf_counter()
    spark = build_session()
    out["sessionStartMs"] = round((time.perf_counter() - started) * 1000)

    seed_id = manifest["seed"]["id"]
    if not manifest["seed"]["keys"]:
        # No seed (a tiny run): every run merges into new, empty tables.
        for path in source_tables:
            delete_tree(path)
    elif table_property(spark, curated_path, SEED_PROPERTY) != seed_id:
        for path in source_tables:
            delete_tree(path)
        began = time.perf_counter()
        result = run_merge(spark, bucket, source, manifest["seed"]["keys"], f"bench-seed-{seed_id}")
        spark.sql(f"ALTER TABLE delta.`{curated_path}` SET TBLPROPERTIES ('{SEED_PROPERTY}' = '{seed_id}')")
        out["seed"].update({"seededMs": round((time.perf_counter() - began) * 1000), "result": result.as_dict()})
    else:
        out["seed"]["reused"] = True
    seeded = bool(manifest["seed"]["keys"])
    raw_version = latest_version(spark, raw_path) if seeded else None
    curated_version = latest_version(spark, curated_path) if seeded else None
    ledger_version = latest_version(spark, ledger) if seeded else None
    out["seed"]["curatedRows"] = spark.read.format("delta").load(curated_path).count() if seeded else 0

    def reset() -> None:
        if seeded:
            restore(spark, raw_path, raw_version)
            restore(spark, curated_path, curated_version)
            restore(spark, ledger, ledger_version)
        else:
            for path in source_tables:
                delete_tree(path)

    def append(keys: list[str]) -> None:
        read_lines(spark, root, keys, LANDING_LINE, LANDING_PREFIX).withColumn("_appended_at", F.current_timestamp()).write.format("delta").mode("append").save(append_path)

    delete_tree(append_path)
    warmup = manifest["warmup"]["keys"]
    began = time.perf_counter()
    if warmup:
        run_merge(spark, bucket, source, warmup, "bench-warmup")
        append(warmup)
    out["warmupMs"] = round((time.perf_counter() - began) * 1000)

    out["runs"] = []
    for run in manifest["runs"]:
        reset()
        began = time.perf_counter()
        result = run_merge(spark, bucket, source, run["keys"], f"bench-{run['rows']}")
        merge_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        append(run["keys"])
        append_ms = (time.perf_counter() - began) * 1000
        out["runs"].append({"rows": run["rows"], "mergeMs": round(merge_ms, 1), "appendMs": round(append_ms, 1), "result": result.as_dict()})
        print(f"merged {run['rows']} rows in {merge_ms:.0f} ms, appended in {append_ms:.0f} ms", file=sys.stderr, flush=True)

    reset()
    spark.stop()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
