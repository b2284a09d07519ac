"""Pure ``DataFrame -> DataFrame`` steps of the merge: lineage, flattening, de-duplication.

Which line fields become which table columns is declared in the ``*_COLUMNS`` maps below;
spark/tests/test_lake_contract.py checks each named line field against the exported line
formats, so a field renamed on the TypeScript side fails a test here.
"""

from __future__ import annotations

from typing import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.window import Window

from .contracts import SourceContract
from .formats import REASON

# Line field -> column, in column order: the lineage shared by raw and quarantine rows.
LINEAGE_COLUMNS = {
    "source": "source",
    "topic": "kafka_topic",
    "partition": "kafka_partition",
    "offset": "kafka_offset",
    "sequenceNumber": "sequence_number",
    "kafkaTimestamp": "kafka_timestamp",
    "eventId": "event_id",
    "batchId": "ingest_batch_id",
    "receivedAt": "received_at",
    "traceparent": "traceparent",
}
# Line field -> column of raw rows, after the lineage.
LANDING_COLUMNS = {"op": "op", "key": "business_key", "eventTime": "event_time", "contractVersion": "contract_version", "record": "record"}
# Line field -> column of quarantine rows, after the lineage; the reasons' fields are REASON_FIELDS.
QUARANTINE_COLUMNS = {"reasons": "reasons", "payload": "payload"}
REASON_FIELDS = ("path", "message")

# Line fields read as text that become timestamps: RFC 3339 text, or epoch milliseconds.
_CONVERSIONS = {"receivedAt": F.to_timestamp, "eventTime": F.to_timestamp, "kafkaTimestamp": F.timestamp_millis}

# Lineage of a row that identifies its line within its object: the Kafka position, or the
# Kinesis shard and sequence number.
STREAM_POSITION = ("kafka_topic", "kafka_partition", "kafka_offset", "sequence_number")

# Kinesis sequence numbers are decimal strings of up to 129 digits (the API's pattern is
# 0|([1-9]\d{0,128})): left-padded to this width they compare as numbers.
SEQUENCE_NUMBER_WIDTH = 129

CURATED_METADATA = T.StructType(
    [
        T.StructField("_is_deleted", T.BooleanType()),
        T.StructField("_event_time", T.TimestampType()),
        T.StructField("_event_id", T.StringType()),
        T.StructField("_kafka_topic", T.StringType()),
        T.StructField("_kafka_partition", T.IntegerType()),
        T.StructField("_kafka_offset", T.LongType()),
        T.StructField("_sequence_number", T.StringType()),
        T.StructField("_landing_key", T.StringType()),
        T.StructField("_ingest_batch_id", T.StringType()),
        T.StructField("_contract_version", T.IntegerType()),
        T.StructField("_merge_run_id", T.StringType()),
        T.StructField("_merged_at", T.TimestampType()),
    ]
)


def _columns(mapping: dict[str, str]) -> list[Column]:
    return [(_CONVERSIONS[field](F.col(field)) if field in _CONVERSIONS else F.col(field)).alias(column) for field, column in mapping.items()]


def landing_to_raw(lines: DataFrame, load_id: str) -> DataFrame:
    """Landing lines (with ``_object_key``) as raw (bronze) rows with lineage columns."""
    return lines.select(
        F.col("_object_key").alias("landing_key"),
        *_columns(LINEAGE_COLUMNS),
        *_columns(LANDING_COLUMNS),
        F.lit(load_id).alias("load_id"),
        F.current_timestamp().alias("loaded_at"),
    )


def _reason_text(reason: Column) -> Column:
    path, message = (reason[name] for name in REASON_FIELDS)
    return F.when(F.coalesce(path, F.lit("")) == "", message).otherwise(F.concat(path, F.lit(": "), message))


def quarantine_to_rows(lines: DataFrame, load_id: str) -> DataFrame:
    """Quarantine lines (with ``_object_key``) as rows of the quarantine table."""
    reasons = F.coalesce(F.col("reasons"), F.array().cast(T.ArrayType(REASON)))
    return lines.select(
        F.col("_object_key").alias("quarantine_key"),
        *_columns(LINEAGE_COLUMNS),
        reasons.alias(QUARANTINE_COLUMNS["reasons"]),
        F.concat_ws("; ", F.transform(reasons, _reason_text)).alias("reason_text"),
        F.col("payload").alias(QUARANTINE_COLUMNS["payload"]),
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
        F.col("sequence_number").alias("_sequence_number"),
        F.col("landing_key").alias("_landing_key"),
        F.col("ingest_batch_id").alias("_ingest_batch_id"),
        F.col("contract_version").alias("_contract_version"),
        F.lit(merge_run_id).alias("_merge_run_id"),
        F.current_timestamp().alias("_merged_at"),
    )


def version_order_sql(alias: str | None = None) -> list[str]:
    """The version order of one entity's curated rows, ascending, as SQL expressions: event
    time, then the stream position (Kafka topic, partition, offset; a Kinesis record has no
    offset and is placed by its shard's sequence number), then event id. A total order, so
    the outcome does not depend on the order in which batches are merged."""
    prefix = f"{alias}." if alias else ""
    return [
        f"{prefix}_event_time",
        f"{prefix}_kafka_topic",
        f"{prefix}_kafka_partition",
        f"coalesce({prefix}_kafka_offset, -1)",
        f"lpad(coalesce({prefix}_sequence_number, ''), {SEQUENCE_NUMBER_WIDTH}, '0')",
        f"{prefix}_event_id",
    ]


def version_order(alias: str | None = None) -> list[Column]:
    """``version_order_sql`` as columns."""
    return [F.expr(expression) for expression in version_order_sql(alias)]


def latest_per_key(curated: DataFrame, business_key: str) -> DataFrame:
    """One row per business key: the newest version by ``version_order`` (deterministic)."""
    order = Window.partitionBy(business_key).orderBy(*[part.desc() for part in version_order()])
    return curated.withColumn("_rank", F.row_number().over(order)).where(F.col("_rank") == 1).drop("_rank")


def version_of_sql(alias: str) -> str:
    """The version order of a curated row as one comparable struct (SQL)."""
    return f"struct({', '.join(version_order_sql(alias))})"


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


# Spark type of each column type the contract export uses (LakeType of tools/export-contracts.ts).
CURATED_TYPES = {
    "string": T.StringType(),
    "decimal(38,6)": T.DecimalType(38, 6),
    "timestamp": T.TimestampType(),
    "date": T.DateType(),
    "boolean": T.BooleanType(),
    "bigint": T.LongType(),
    "double": T.DoubleType(),
}


def curated_schema(contract: SourceContract) -> T.StructType:
    """The curated table's columns: the contract's fields, typed, then the version metadata."""
    fields = [T.StructField(f.name, CURATED_TYPES[f.type]) for f in contract.fields]
    return T.StructType(fields + CURATED_METADATA.fields)


def extra_fields_of(raw: DataFrame, contract: SourceContract) -> list[str]:
    """Record fields that the contract does not declare (an additive change), sorted."""
    known = {f.name for f in contract.fields} | {"op"}
    keys = raw.select(F.explode(F.map_keys(F.from_json(F.col("record"), T.MapType(T.StringType(), T.StringType())))).alias("k")).distinct()
    return sorted(row.k for row in keys.collect() if row.k not in known)
