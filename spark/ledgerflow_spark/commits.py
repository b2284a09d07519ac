"""Delta commits of the merge, and their retry on Delta's concurrency conflicts.

Each commit function makes one attempt; callers wrap the whole read-modify-commit in
``with_conflict_retry``, so a retry re-reads the tables the conflicting writer changed.
"""

from __future__ import annotations

import logging
import random
import time
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

from .transforms import KAFKA_POSITION, aligned_to, newer_than, version_of

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


def insert_new_lines(spark: SparkSession, path: str, rows: DataFrame, key_column: str, keys: Sequence[str]) -> None:
    """Inserts rows whose (object key, Kafka position) the existing table does not hold yet."""
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


@dataclass
class CuratedChanges:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.deleted


def merge_newer_versions(spark: SparkSession, path: str, incoming: DataFrame, business_key: str) -> CuratedChanges:
    """MERGEs the incoming rows that are new or strictly newer than the existing curated
    table's; commits nothing when there are none."""
    target = DeltaTable.forPath(spark, path)
    current = target.toDF()
    changes = aligned_to(newer_than(incoming, current, business_key), current.schema).cache()
    try:
        counts = changes.groupBy("_exists", "_is_deleted").count().collect()
        outcome = CuratedChanges(
            inserted=sum(r["count"] for r in counts if not r["_exists"] and not r["_is_deleted"]),
            updated=sum(r["count"] for r in counts if r["_exists"] and not r["_is_deleted"]),
            deleted=sum(r["count"] for r in counts if r["_is_deleted"]),
        )
        if counts:
            (
                target.alias("t")
                .merge(changes.drop("_exists").alias("s"), f"t.`{business_key}` = s.`{business_key}`")
                .whenMatchedUpdateAll(condition=version_of("s") > version_of("t"))
                .whenNotMatchedInsertAll()
                .execute()
            )
        return outcome
    finally:
        changes.unpersist()
