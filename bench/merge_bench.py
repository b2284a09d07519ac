"""The project's merge against a plain Delta MERGE, into curated tables of two sizes.

    PYTHONPATH=spark .stack/venv/bin/python bench/merge_bench.py <manifest.json>

The manifest (written by bench/stages/merge.ts) names the bucket and, per table size, the
storage root (``s3a://<bucket>/t<rows>``), the seed's id and the landing objects of the
source rows (written there by merge.ts: 80% new keys, 20% updates of the newest seeded
keys). In one Spark session, built by the project's session factory:

1. each curated table is seeded once, directly with Spark (rows ``TX-000000000`` on, in
   key order, with event times older than any source row) and kept between runs: a table
   property records which seed it holds;
2. a warm-up: one merge and one plain MERGE on the smaller table (left out when the
   manifest says ``"warmup": false``: a tiny run only proves the path);
3. per table: reset (curated restored to the seeded version; raw, ledger and quarantine
   removed, then raw and ledger created empty, as a source that has merged before has
   them), time ``run_merge`` over the source objects (the function the job service
   runs); reset, time a plain Delta MERGE of the same rows on the business key (read,
   flatten, MERGE: update when matched, insert when not).

Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import json
import sys
import time

from delta.tables import DeltaTable
from pyspark.sql import functions as F

from ledgerflow_spark.contracts import contract_for
from ledgerflow_spark.formats import LANDING_LINE, read_lines
from ledgerflow_spark.layout import LANDING_PREFIX, bucket_root, ledger_path, table_path
from ledgerflow_spark.ledger import LEDGER_SCHEMA, LEDGER_TABLE_PROPERTIES
from ledgerflow_spark.merge import CURATED_TABLE_PROPERTIES, RAW_TABLE_PROPERTIES, run_merge
from ledgerflow_spark.session import build_session, s3_client
from ledgerflow_spark.storage import ensure_table
from ledgerflow_spark.transforms import curated_schema, landing_to_raw, raw_to_curated

SOURCE = "transactions"
SEED_PROPERTY = "ledgerflow.bench.seed"
# Older than every generated record, so each update of a seeded key is a newer version.
SEED_TIME = "2020-01-01 00:00:00"
SEED_ROWS_PER_FILE = 250_000


def delete_tree(uri: str) -> None:
    """Deletes every object under an ``s3a://bucket/prefix`` URI (a table of the bench bucket)."""
    bucket, _, prefix = uri.removeprefix("s3a://").partition("/")
    s3 = s3_client()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix.rstrip("/") + "/"):
        keys = [{"Key": entry["Key"]} for entry in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def table_property(spark, path: str, name: str) -> str | None:
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    properties = DeltaTable.forPath(spark, path).detail().select("properties").first()[0] or {}
    return properties.get(name)


def latest_version(spark, path: str) -> int:
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]


def seed_curated(spark, path: str, rows: int, seed_id: str) -> None:
    """``rows`` curated transactions in key order, written straight to the table."""
    schema = curated_schema(contract_for(SOURCE))
    seed_time = F.lit(SEED_TIME).cast("timestamp")
    values = {
        "transactionId": F.format_string("TX-%09d", F.col("id")),
        "accountId": F.format_string("ACC-%06d", F.col("id") % 50_000),
        "type": F.lit("debit"),
        "status": F.lit("posted"),
        "amount": (F.col("id") % 100_000) / 100,
        "currency": F.lit("EUR"),
        "merchantName": F.lit("Seed Market"),
        "merchantCategoryCode": F.lit("5411"),
        "occurredAt": seed_time,
        "updatedAt": seed_time,
        "_is_deleted": F.lit(False),
        "_event_time": seed_time,
        "_event_id": F.format_string("seed-%d", F.col("id")),
        "_kafka_topic": F.lit("seed"),
        "_kafka_partition": F.lit(0),
        "_kafka_offset": F.col("id"),
        "_contract_version": F.lit(1),
        "_merge_run_id": F.lit(seed_id),
        "_merged_at": F.current_timestamp(),
    }
    columns = [values.get(field.name, F.lit(None)).cast(field.dataType).alias(field.name) for field in schema.fields]
    ensure_table(spark, path, schema, CURATED_TABLE_PROPERTIES)
    frame = spark.range(0, rows, numPartitions=max(1, rows // SEED_ROWS_PER_FILE)).select(*columns)
    # One file per range of keys: optimized writes would shuffle the key order away.
    frame.write.format("delta").mode("append").option("optimizeWrite", "false").save(path)
    spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('{SEED_PROPERTY}' = '{seed_id}')")


def create_empty_tables(spark, root: str, keys: list[str]) -> None:
    """The raw table and the ledger, empty, as a source that has merged before holds them:
    a warm run appends to them rather than creating them."""
    lines = read_lines(spark, root, keys[:1], LANDING_LINE, LANDING_PREFIX)
    ensure_table(spark, table_path(root, "raw", SOURCE), landing_to_raw(lines, "bench").schema, RAW_TABLE_PROPERTIES)
    ensure_table(spark, ledger_path(root, SOURCE), LEDGER_SCHEMA, LEDGER_TABLE_PROPERTIES)


def plain_merge(spark, root: str, keys: list[str]) -> None:
    """The baseline: the same rows MERGEd on the business key, nothing else."""
    contract = contract_for(SOURCE)
    rows = raw_to_curated(landing_to_raw(read_lines(spark, root, keys, LANDING_LINE, LANDING_PREFIX), "plain"), contract, [], "plain")
    key = contract.business_key
    DeltaTable.forPath(spark, table_path(root, "curated", SOURCE)).alias("t").merge(
        rows.alias("s"), f"t.`{key}` = s.`{key}`"
    ).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute()


def main(manifest_path: str) -> int:
    manifest = json.loads(open(manifest_path, encoding="utf-8").read())
    started = time.perf_counter()
    spark = build_session()
    out: dict = {"sessionStartMs": round((time.perf_counter() - started) * 1000), "tables": []}

    prepared = []
    for table in manifest["tables"]:
        root = bucket_root(f"{manifest['bucket']}/{table['prefix']}")
        curated = table_path(root, "curated", SOURCE)
        seed = {"rows": table["rows"]}
        if table_property(spark, curated, SEED_PROPERTY) != table["seedId"]:
            for layer in ("raw", "curated", "quarantine"):
                delete_tree(table_path(root, layer, SOURCE))
            delete_tree(ledger_path(root, SOURCE))
            began = time.perf_counter()
            seed_curated(spark, curated, table["rows"], table["seedId"])
            seed["seededMs"] = round((time.perf_counter() - began) * 1000)
        else:
            seed["reused"] = True
        seed["curatedRows"] = spark.read.format("delta").load(curated).count()
        seed["files"] = DeltaTable.forPath(spark, curated).detail().first().numFiles
        prepared.append((table, root, curated, latest_version(spark, curated), seed))

    def reset(root: str, curated: str, version: int, keys: list[str]) -> None:
        if latest_version(spark, curated) != version:
            DeltaTable.forPath(spark, curated).restoreToVersion(version)
        for path in (table_path(root, "raw", SOURCE), table_path(root, "quarantine", SOURCE), ledger_path(root, SOURCE)):
            delete_tree(path)
        create_empty_tables(spark, root, keys)

    began = time.perf_counter()
    table, root, curated, version, _ = prepared[0]
    warmups = (lambda: run_merge(spark, root, SOURCE, table["keys"], "bench-warmup"), lambda: plain_merge(spark, root, table["keys"]))
    for measure in warmups if manifest.get("warmup", True) else ():
        reset(root, curated, version, table["keys"])
        measure()
    out["warmupMs"] = round((time.perf_counter() - began) * 1000)

    for table, root, curated, version, seed in prepared:
        reset(root, curated, version, table["keys"])
        began = time.perf_counter()
        result = run_merge(spark, root, SOURCE, table["keys"], f"bench-{table['rows']}")
        merge_ms = (time.perf_counter() - began) * 1000
        files_after = DeltaTable.forPath(spark, curated).detail().first().numFiles
        reset(root, curated, version, table["keys"])
        began = time.perf_counter()
        plain_merge(spark, root, table["keys"])
        plain_ms = (time.perf_counter() - began) * 1000
        reset(root, curated, version, table["keys"])
        out["tables"].append(
            {"rows": table["rows"], "sourceRows": table["sourceRows"], "seed": seed, "mergeMs": round(merge_ms), "plainMergeMs": round(plain_ms), "filesAfter": files_after, "result": result.as_dict()}
        )
        print(f"{table['sourceRows']} rows into {table['rows']}: merge {merge_ms:.0f} ms, plain MERGE {plain_ms:.0f} ms", file=sys.stderr, flush=True)

    spark.stop()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
