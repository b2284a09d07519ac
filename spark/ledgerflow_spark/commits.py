"""Delta commits of the merge, and their retry on Delta's concurrency conflicts.

Each commit function makes one attempt; callers wrap the whole read-modify-commit in
``with_conflict_retry``, so a retry re-reads the tables the conflicting writer changed.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

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
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .transforms import STREAM_POSITION, aligned_to, version_of_sql

log = logging.getLogger("ledgerflow.merge")

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


def is_conflict(error: Exception, also: Sequence[str] = ()) -> bool:
    if isinstance(error, RETRYABLE_CONFLICTS):
        return True
    return isinstance(error, AnalysisException) and any(name in str(error) for name in (*RETRYABLE_ANALYSIS_ERRORS, *also))


def with_conflict_retry(action: Callable[[], R], what: str, attempts: int = 10, also: Sequence[str] = ()) -> R:
    """Runs a Delta read-modify-commit; on a concurrency conflict, re-runs it from the read.

    Each attempt re-reads the table, so the retried commit is computed from the state the
    conflicting writer left: the outcome is that of running the two one after the other.
    ``also``: error classes that count as a conflict for this action only.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (AnalysisException, *RETRYABLE_CONFLICTS) as conflict:
            if attempt == attempts or not is_conflict(conflict, also):
                raise
            delay = min(5.0, 0.2 * 2 ** (attempt - 1)) * (0.5 + random.random())
            log.warning("%s: concurrent commit (%s), retry %d in %.1fs", what, type(conflict).__name__, attempt, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def append_once(rows: DataFrame, path: str, transaction_id: str) -> None:
    """Appends the rows under a Delta transaction identifier: an append whose identifier the
    table already holds is skipped, so a repeated append of the same rows adds nothing."""
    rows.write.format("delta").mode("append").option("txnAppId", transaction_id).option("txnVersion", 0).save(path)


def insert_new_lines(spark: SparkSession, path: str, rows: DataFrame, key_column: str, keys: Sequence[str]) -> None:
    """Inserts rows whose (object key, stream position) the existing table does not hold yet."""
    condition = " AND ".join(f"t.{c} <=> s.{c}" for c in (key_column, *STREAM_POSITION))
    scope = ", ".join("'" + key.replace("'", "''") + "'" for key in keys)
    (
        DeltaTable.forPath(spark, path)
        .alias("t")
        .merge(rows.alias("s"), f"t.{key_column} IN ({scope}) AND {condition}")
        .whenNotMatchedInsertAll()
        .execute()
    )


@dataclass
class CuratedChanges:
    """Rows the curated MERGE inserted and updated; ``deleted``: how many of them are tombstones."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated


def sql_string(value: str) -> str:
    """A Spark SQL string literal (backslash and quote escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def merge_newer_versions(spark: SparkSession, path: str, incoming: DataFrame, business_key: str, run_id: str) -> CuratedChanges:
    """One MERGE: inserts new keys, replaces a row only by a strictly newer version (the
    version comparison is the MERGE's own condition, so the target is read once)."""
    target_schema = DeltaTable.forPath(spark, path).toDF().schema
    lowest, highest = incoming.agg(F.min(business_key), F.max(business_key)).first()
    if lowest is None:
        return CuratedChanges()
    # A name of its own (run ids are free text): runs of other tables share the session.
    view = f"ledgerflow_merge_source_{uuid.uuid4().hex}"
    aligned_to(incoming, target_schema).createOrReplaceTempView(view)
    try:
        # The key range as literals lets Delta skip target files by their key statistics:
        # keys that grow over time (sequence-like ids) touch only the newest files.
        metrics = spark.sql(
            f"""MERGE INTO delta.`{path}` AS t USING {view} AS s
            ON t.`{business_key}` BETWEEN {sql_string(lowest)} AND {sql_string(highest)} AND t.`{business_key}` = s.`{business_key}`
            WHEN MATCHED AND {version_of_sql("s")} > {version_of_sql("t")} THEN UPDATE SET *
            WHEN NOT MATCHED THEN INSERT *"""
        ).first()
    finally:
        spark.catalog.dropTempView(view)
    changes = CuratedChanges(inserted=metrics["num_inserted_rows"], updated=metrics["num_updated_rows"])
    tombstone_keys = [row[0] for row in incoming.where("_is_deleted").select(business_key).collect()]
    if changes.total and tombstone_keys:
        # Only a batch with deletes pays for this read; it counts the tombstones this run wrote.
        written = spark.read.format("delta").load(path).where(F.col(business_key).isin(tombstone_keys) & (F.col("_merge_run_id") == run_id))
        changes.deleted = written.where("_is_deleted").count()
    return changes
