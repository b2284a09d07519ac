"""Landing objects of one source into its raw, curated and quarantine Delta tables.

One run, for a source and a list of landing object keys (or every pending one):

1. **raw (bronze)**: the landing lines of objects not loaded before are inserted into
   ``tables/raw/<source>`` with their lineage; the raw table is also the ledger of
   loaded landing objects, so a repeated run loads nothing twice.
2. **curated (silver)**: the raw rows of the requested objects are flattened,
   de-duplicated by business key (latest event time wins, ties broken by Kafka
   position then event id) and MERGEd into ``tables/curated/<source>``. A row is only
   replaced by a strictly newer version, so late, older updates never overwrite, and a
   repeated run finds nothing newer and commits nothing. Deletes become tombstones
   (``_is_deleted = true``, fields null): a late upsert older than the delete cannot
   bring the row back. The ``curated.<source>`` view shows live rows only.
3. **quarantine**: quarantine objects of the source not loaded before are inserted into
   ``tables/quarantine/<source>`` with their reasons.

Every Delta commit is retried on Delta's concurrency conflicts, and each retry
re-reads the tables, so two overlapping runs on one table give the serial result.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Sequence, TypeVar

from delta.exceptions import (
    ConcurrentAppendException,
    ConcurrentDeleteDeleteException,
    ConcurrentDeleteReadException,
    ConcurrentTransactionException,
    ConcurrentWriteException,
    DeltaConcurrentModificationException,
    MetadataChangedException,
    ProtocolChangedException,
)
from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.window import Window

from .contracts import SourceContract, contract_for
from .layout import (
    LANDING_PREFIX,
    QUARANTINE_PREFIX,
    bucket_root,
    landing_prefix,
    object_path,
    quarantine_prefix,
    table_path,
)

log = logging.getLogger("ledgerflow.merge")

# ------------------------------------------------------------------ line formats

# LandingLine of functions/validate/validate-batch.ts; `record` is kept as its JSON text.
LANDING_LINE = T.StructType(
    [
        T.StructField("eventId", T.StringType()),
        T.StructField("batchId", T.StringType()),
        T.StructField("receivedAt", T.StringType()),
        T.StructField("traceparent", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("topic", T.StringType()),
        T.StructField("partition", T.IntegerType()),
        T.StructField("offset", T.LongType()),
        T.StructField("kafkaTimestamp", T.LongType()),
        T.StructField("op", T.StringType()),
        T.StructField("key", T.StringType()),
        T.StructField("eventTime", T.StringType()),
        T.StructField("contractVersion", T.IntegerType()),
        T.StructField("record", T.StringType()),
    ]
)

REASON = T.StructType([T.StructField("path", T.StringType()), T.StructField("message", T.StringType())])

# QuarantineLine of functions/validate/validate-batch.ts; `payload` is kept as JSON text.
QUARANTINE_LINE = T.StructType(
    [f for f in LANDING_LINE.fields if f.name in ("eventId", "batchId", "receivedAt", "traceparent", "source", "topic", "partition", "offset", "kafkaTimestamp")]
    + [T.StructField("reasons", T.ArrayType(REASON)), T.StructField("payload", T.StringType())]
)

# Lineage shared by raw and quarantine rows.
KAFKA_POSITION = ("kafka_topic", "kafka_partition", "kafka_offset")

# Version order of one entity: newest event time, then latest Kafka position, then event id.
VERSION_ORDER = ("_event_time", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_event_id")

CURATED_METADATA = T.StructType(
    [
        T.StructField("_is_deleted", T.BooleanType()),
        T.StructField("_event_time", T.TimestampType()),
        T.StructField("_event_id", T.StringType()),
        T.StructField("_kafka_topic", T.StringType()),
        T.StructField("_kafka_partition", T.IntegerType()),
        T.StructField("_kafka_offset", T.LongType()),
        T.StructField("_landing_key", T.StringType()),
        T.StructField("_ingest_batch_id", T.StringType()),
        T.StructField("_contract_version", T.IntegerType()),
        T.StructField("_merge_run_id", T.StringType()),
        T.StructField("_merged_at", T.TimestampType()),
    ]
)


# Change data feed for downstream consumers; deletion vectors, so a MERGE that updates a
# few rows marks them deleted instead of rewriting every file they sit in.
CURATED_TABLE_PROPERTIES = {"delta.enableChangeDataFeed": "true", "delta.enableDeletionVectors": "true"}

# ------------------------------------------------------------------ pure transforms


def _timestamp(column: Column) -> Column:
    return F.to_timestamp(column)


def _millis(column: Column) -> Column:
    return F.timestamp_millis(column)


def _lineage() -> list[Column]:
    """Where a line came from: shared by raw and quarantine rows."""
    return [
        F.col("source"),
        F.col("topic").alias("kafka_topic"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        _millis(F.col("kafkaTimestamp")).alias("kafka_timestamp"),
        F.col("eventId").alias("event_id"),
        F.col("batchId").alias("ingest_batch_id"),
        _timestamp(F.col("receivedAt")).alias("received_at"),
        F.col("traceparent"),
    ]


def landing_to_raw(lines: DataFrame, load_id: str) -> DataFrame:
    """Landing lines (with ``_object_key``) as raw (bronze) rows with lineage columns."""
    return lines.select(
        F.col("_object_key").alias("landing_key"),
        *_lineage(),
        F.col("op"),
        F.col("key").alias("business_key"),
        _timestamp(F.col("eventTime")).alias("event_time"),
        F.col("contractVersion").alias("contract_version"),
        F.col("record"),
        F.lit(load_id).alias("load_id"),
        F.current_timestamp().alias("loaded_at"),
    )


def quarantine_to_rows(lines: DataFrame, load_id: str) -> DataFrame:
    """Quarantine lines (with ``_object_key``) as rows of the quarantine table."""
    return lines.select(
        F.col("_object_key").alias("quarantine_key"),
        *_lineage(),
        F.coalesce(F.col("reasons"), F.array().cast(T.ArrayType(REASON))).alias("reasons"),
        F.concat_ws(
            "; ",
            F.transform(
                F.coalesce(F.col("reasons"), F.array().cast(T.ArrayType(REASON))),
                lambda r: F.when(F.coalesce(r["path"], F.lit("")) == "", r["message"]).otherwise(F.concat(r["path"], F.lit(": "), r["message"])),
            ),
        ).alias("reason_text"),
        F.col("payload"),
        F.lit(load_id).alias("load_id"),
        F.current_timestamp().alias("loaded_at"),
    )


def _typed(value: Column, spark_type: str) -> Column:
    if spark_type == "timestamp":
        return F.to_timestamp(value)
    if spark_type == "date":
        return F.to_date(value)
    return value.cast(spark_type)


def raw_to_curated(raw: DataFrame, contract: SourceContract, extra_fields: Sequence[str], merge_run_id: str) -> DataFrame:
    """Raw rows flattened into curated rows: the contract's fields typed (money as
    DECIMAL(38,6)), fields the contract does not know yet as strings, and the version
    metadata. A delete keeps only its business key and event time (a tombstone)."""
    record = F.from_json(F.col("record"), T.MapType(T.StringType(), T.StringType()))
    is_delete = F.col("op") == F.lit("delete")
    kept_on_delete = {contract.business_key, contract.event_time_field}
    columns: list[Column] = []
    for name, spark_type in [(f.name, f.type) for f in contract.fields] + [(name, "string") for name in extra_fields]:
        value = _typed(F.col("_record")[name], spark_type)
        if name not in kept_on_delete:
            value = F.when(is_delete, F.lit(None).cast(spark_type)).otherwise(value)
        columns.append(value.alias(name))
    return raw.where(F.col("business_key").isNotNull() & F.col("event_time").isNotNull()).withColumn("_record", record).select(
        *columns,
        is_delete.alias("_is_deleted"),
        F.col("event_time").alias("_event_time"),
        F.coalesce(F.col("event_id"), F.lit("")).alias("_event_id"),
        F.col("kafka_topic").alias("_kafka_topic"),
        F.col("kafka_partition").alias("_kafka_partition"),
        F.col("kafka_offset").alias("_kafka_offset"),
        F.col("landing_key").alias("_landing_key"),
        F.col("ingest_batch_id").alias("_ingest_batch_id"),
        F.col("contract_version").alias("_contract_version"),
        F.lit(merge_run_id).alias("_merge_run_id"),
        F.current_timestamp().alias("_merged_at"),
    )


def latest_per_key(curated: DataFrame, business_key: str) -> DataFrame:
    """One row per business key: the newest version by VERSION_ORDER (deterministic)."""
    order = Window.partitionBy(business_key).orderBy(*[F.col(name).desc() for name in VERSION_ORDER])
    return curated.withColumn("_rank", F.row_number().over(order)).where(F.col("_rank") == 1).drop("_rank")


def version_of(alias: str) -> Column:
    """The version order of a curated row as one comparable struct."""
    return F.struct(*[F.col(f"{alias}.{name}") for name in VERSION_ORDER])


def newer_than(incoming: DataFrame, current: DataFrame, business_key: str) -> DataFrame:
    """Incoming rows that would change the current table: new keys, or strictly newer versions."""
    existing = current.select(business_key, *VERSION_ORDER).alias("t")
    joined = incoming.alias("s").join(existing, F.col(f"s.{business_key}") == F.col(f"t.{business_key}"), "left")
    changes = joined.where(F.col(f"t.{business_key}").isNull() | (version_of("s") > version_of("t")))
    return changes.select("s.*", F.col(f"t.{business_key}").isNotNull().alias("_exists"))


def aligned_to(incoming: DataFrame, target_schema: T.StructType) -> DataFrame:
    """Incoming rows with every target column (missing ones null, types as the target's),
    followed by columns the target does not have yet (schema evolution adds them)."""
    present = set(incoming.columns)
    target_names = [f.name for f in target_schema.fields]
    columns = [
        (F.col(f"`{f.name}`").cast(f.dataType) if f.name in present else F.lit(None).cast(f.dataType)).alias(f.name)
        for f in target_schema.fields
    ]
    columns += [F.col(f"`{name}`") for name in incoming.columns if name not in target_names]
    return incoming.select(*columns)


def curated_schema(contract: SourceContract) -> T.StructType:
    fields = [T.StructField(f.name, T._parse_datatype_string(f.type)) for f in contract.fields]
    return T.StructType(fields + CURATED_METADATA.fields)


def extra_fields_of(raw: DataFrame, contract: SourceContract) -> list[str]:
    """Record fields that the contract does not declare (an additive change), sorted."""
    known = {f.name for f in contract.fields} | {"op"}
    keys = raw.select(F.explode(F.map_keys(F.from_json(F.col("record"), T.MapType(T.StringType(), T.StringType())))).alias("k")).distinct()
    return sorted(row.k for row in keys.collect() if row.k not in known)


# ------------------------------------------------------------------ storage


def list_objects(spark: SparkSession, prefix_uri: str, key_prefix: str) -> list[str]:
    """Keys (from ``key_prefix`` on) of the NDJSON objects under a prefix, sorted."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(prefix_uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    keys = []
    files = fs.listFiles(path, True)
    while files.hasNext():
        uri = files.next().getPath().toString()
        if uri.endswith(".ndjson"):
            keys.append(key_of(uri, key_prefix))
    return sorted(keys)


def key_of(uri: str, key_prefix: str) -> str:
    """The object key of a file URI, from the ``landing/<source>/`` style prefix on."""
    index = uri.rfind("/" + key_prefix)
    return uri[index + 1 :] if index >= 0 else uri


def read_lines(spark: SparkSession, root: str, keys: Sequence[str], schema: T.StructType, key_prefix: str) -> DataFrame:
    """The NDJSON lines of the objects, each with the key of its object (``_object_key``)."""
    paths = [object_path(root, key) for key in keys]
    key_pattern = "(" + key_prefix.replace(".", "\\.") + ".*)$"
    return (
        spark.read.schema(schema)
        .option("mode", "PERMISSIVE")
        .json(paths)
        .withColumn("_object_key", F.regexp_extract(F.col("_metadata.file_path"), key_pattern, 1))
    )


def table_exists(spark: SparkSession, path: str) -> bool:
    return DeltaTable.isDeltaTable(spark, path)


# ------------------------------------------------------------------ commits, retried on conflicts

RETRYABLE_CONFLICTS = (
    ConcurrentAppendException,
    ConcurrentDeleteReadException,
    ConcurrentDeleteDeleteException,
    ConcurrentTransactionException,
    ConcurrentWriteException,
    MetadataChangedException,
    ProtocolChangedException,
    DeltaConcurrentModificationException,
)

# A MERGE analysed against a schema that a concurrent MERGE has just evolved.
RETRYABLE_ANALYSIS_ERRORS = ("DELTA_SCHEMA_CHANGE_SINCE_ANALYSIS", "DELTA_SCHEMA_CHANGED", "DELTA_METADATA_CHANGED")

R = TypeVar("R")


def is_conflict(error: Exception) -> bool:
    if isinstance(error, RETRYABLE_CONFLICTS):
        return True
    return isinstance(error, AnalysisException) and any(name in str(error) for name in RETRYABLE_ANALYSIS_ERRORS)


def with_conflict_retry(action: Callable[[], R], what: str, attempts: int = 10) -> R:
    """Runs a Delta read-modify-commit; on a concurrency conflict, re-runs it from the read.

    Each attempt re-reads the table, so the retried commit is computed from the state the
    conflicting writer left: the outcome is that of running the two one after the other.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (AnalysisException, *RETRYABLE_CONFLICTS) as conflict:
            if attempt == attempts or not is_conflict(conflict):
                raise
            delay = min(5.0, 0.2 * 2 ** (attempt - 1)) * (0.5 + random.random())
            log.warning("%s: concurrent commit (%s), retry %d in %.1fs", what, type(conflict).__name__, attempt, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def ensure_table(spark: SparkSession, path: str, schema: T.StructType, properties: dict[str, str] | None = None) -> None:
    """Creates the Delta table at ``path`` unless it exists (safe when two runs race)."""
    if table_exists(spark, path):
        return

    def create() -> None:
        builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema)
        for key, value in (properties or {}).items():
            builder = builder.property(key, value)
        builder.execute()

    with_conflict_retry(create, f"create {path}")


def loaded_keys(spark: SparkSession, path: str, key_column: str, keys: Sequence[str]) -> set[str]:
    """Which of the object keys a raw or quarantine table (the ledger) already holds."""
    if not keys or not table_exists(spark, path):
        return set()
    rows = spark.read.format("delta").load(path).where(F.col(key_column).isin(list(keys))).select(key_column).distinct().collect()
    return {row[0] for row in rows}


def insert_new_lines(spark: SparkSession, path: str, rows: DataFrame, key_column: str, keys: Sequence[str]) -> None:
    """Inserts rows whose (object key, Kafka position) the table does not hold yet."""
    ensure_table(spark, path, rows.schema)
    identity = [key_column, *KAFKA_POSITION]
    condition = " AND ".join(f"t.{c} = s.{c}" for c in identity)
    scope = ", ".join("'" + key.replace("'", "''") + "'" for key in keys)
    (
        DeltaTable.forPath(spark, path)
        .alias("t")
        .merge(rows.alias("s"), f"t.{key_column} IN ({scope}) AND {condition}")
        .whenNotMatchedInsertAll()
        .execute()
    )


# ------------------------------------------------------------------ one run


@dataclass
class MergeResult:
    source: str
    run_id: str
    landing_objects: int = 0
    landing_objects_loaded: int = 0
    raw_rows_loaded: int = 0
    curated_candidates: int = 0
    curated_inserted: int = 0
    curated_updated: int = 0
    curated_deleted: int = 0
    curated_unchanged: int = 0
    quarantine_objects_loaded: int = 0
    quarantine_rows_loaded: int = 0
    timings_ms: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """camelCase, like the rest of the job service's JSON."""
        return {_camel(name): value for name, value in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class _Stopwatch:
    def __init__(self, result: MergeResult) -> None:
        self.result = result

    def __call__(self, name: str):
        result = self.result

        class _Lap:
            def __enter__(self_inner):
                self_inner.start = time.perf_counter()

            def __exit__(self_inner, *exc):
                result.timings_ms[name] = round((time.perf_counter() - self_inner.start) * 1000)

        return _Lap()


def load_raw(spark: SparkSession, root: str, contract: SourceContract, keys: Sequence[str], result: MergeResult) -> None:
    raw_path = table_path(root, "raw", contract.source)

    def attempt() -> None:
        pending = sorted(set(keys) - loaded_keys(spark, raw_path, "landing_key", keys))
        result.landing_objects_loaded = len(pending)
        result.raw_rows_loaded = 0
        if not pending:
            return
        lines = read_lines(spark, root, pending, LANDING_LINE, f"{LANDING_PREFIX}{contract.source}/")
        rows = landing_to_raw(lines, result.run_id).cache()
        try:
            result.raw_rows_loaded = rows.count()
            insert_new_lines(spark, raw_path, rows, "landing_key", pending)
        finally:
            rows.unpersist()

    with_conflict_retry(attempt, f"raw {contract.source}")


def merge_curated(spark: SparkSession, root: str, contract: SourceContract, keys: Sequence[str], result: MergeResult) -> None:
    raw_path = table_path(root, "raw", contract.source)
    curated_path = table_path(root, "curated", contract.source)
    if not keys or not table_exists(spark, raw_path):
        return
    raw = spark.read.format("delta").load(raw_path).where(F.col("landing_key").isin(list(keys)))
    extras = extra_fields_of(raw, contract)
    incoming = latest_per_key(raw_to_curated(raw, contract, extras, result.run_id), contract.business_key).cache()
    try:
        result.curated_candidates = incoming.count()
        ensure_table(spark, curated_path, curated_schema(contract), CURATED_TABLE_PROPERTIES)

        def attempt() -> None:
            target = DeltaTable.forPath(spark, curated_path)
            current = target.toDF()
            changes = aligned_to(newer_than(incoming, current, contract.business_key), current.schema).cache()
            try:
                counts = changes.groupBy("_exists", "_is_deleted").count().collect()
                result.curated_inserted = sum(r["count"] for r in counts if not r["_exists"] and not r["_is_deleted"])
                result.curated_updated = sum(r["count"] for r in counts if r["_exists"] and not r["_is_deleted"])
                result.curated_deleted = sum(r["count"] for r in counts if r["_is_deleted"])
                result.curated_unchanged = result.curated_candidates - sum(r["count"] for r in counts)
                if not counts:
                    return
                key = contract.business_key
                (
                    target.alias("t")
                    .merge(changes.drop("_exists").alias("s"), f"t.`{key}` = s.`{key}`")
                    .whenMatchedUpdateAll(condition=version_of("s") > version_of("t"))
                    .whenNotMatchedInsertAll()
                    .execute()
                )
            finally:
                changes.unpersist()

        with_conflict_retry(attempt, f"curated {contract.source}")
    finally:
        incoming.unpersist()


def load_quarantine(spark: SparkSession, root: str, contract: SourceContract, result: MergeResult) -> None:
    quarantine_path = table_path(root, "quarantine", contract.source)
    key_prefix = f"{QUARANTINE_PREFIX}{contract.source}/"

    def attempt() -> None:
        keys = list_objects(spark, quarantine_prefix(root, contract.source), key_prefix)
        pending = sorted(set(keys) - loaded_keys(spark, quarantine_path, "quarantine_key", keys))
        result.quarantine_objects_loaded = len(pending)
        result.quarantine_rows_loaded = 0
        if not pending:
            return
        rows = quarantine_to_rows(read_lines(spark, root, pending, QUARANTINE_LINE, key_prefix), result.run_id).cache()
        try:
            result.quarantine_rows_loaded = rows.count()
            insert_new_lines(spark, quarantine_path, rows, "quarantine_key", pending)
        finally:
            rows.unpersist()

    with_conflict_retry(attempt, f"quarantine {contract.source}")


def pending_landing_keys(spark: SparkSession, root: str, source: str) -> list[str]:
    """Every landing object of the source that the raw table does not hold yet."""
    keys = list_objects(spark, landing_prefix(root, source), f"{LANDING_PREFIX}{source}/")
    loaded = loaded_keys(spark, table_path(root, "raw", source), "landing_key", keys)
    return [key for key in keys if key not in loaded]


def run_merge(
    spark: SparkSession,
    bucket: str,
    source: str,
    keys: Iterable[str] | None = None,
    run_id: str | None = None,
) -> MergeResult:
    """One merge run. ``keys=None`` means every pending landing object of the source.

    ``bucket`` is a bucket name (``s3a://<bucket>``) or a storage root URI such as a
    local ``file:/tmp/...`` folder laid out like the bucket.
    """
    contract = contract_for(source)
    root = bucket_root(bucket)
    result = MergeResult(source=source, run_id=run_id or uuid.uuid4().hex)
    lap = _Stopwatch(result)
    started = time.perf_counter()
    with lap("list"):
        selected = sorted(set(keys)) if keys is not None else pending_landing_keys(spark, root, source)
    result.landing_objects = len(selected)
    selected = [key for key in selected if key.startswith(f"{LANDING_PREFIX}{source}/")]
    with lap("raw"):
        load_raw(spark, root, contract, selected, result)
    with lap("curated"):
        merge_curated(spark, root, contract, selected, result)
    with lap("quarantine"):
        load_quarantine(spark, root, contract, result)
    result.timings_ms["total"] = round((time.perf_counter() - started) * 1000)
    log.info("merge %s run %s: %s", source, result.run_id, json.dumps(result.as_dict()))
    return result


# ------------------------------------------------------------------ entry point


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ledgerflow_spark.merge", description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--bucket", required=True, help="lake bucket name, or a storage root URI")
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--objects", help="comma-separated landing object keys")
    chosen.add_argument("--all-pending", action="store_true", help="every landing object not loaded yet")
    parser.add_argument("--run-id", help="identifier recorded in the tables (default: random)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from .session import build_session

    args = parse_args(sys.argv[1:] if argv is None else argv)
    keys = None if args.all_pending else [key for key in args.objects.split(",") if key]
    spark = build_session()
    try:
        result = run_merge(spark, args.bucket, args.source, keys, args.run_id)
        print(json.dumps(result.as_dict()))
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
