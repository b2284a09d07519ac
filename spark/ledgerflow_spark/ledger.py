"""The merge ledger: which landing objects of a source are claimed, and which are done.

One small Delta table per source (``tables/ledger/<source>``, one row per event):

- ``claimed``: a run took the landing object into a claim (``claim_id``). The claim's raw
  rows are appended under Delta's transaction identifier ``ledgerflow-raw:<claim_id>``,
  so whichever run completes a claim (its own run, a retry, the sweep) appends them at
  most once: Delta skips an append whose identifier the raw table already holds.
- ``done``: the object's rows are committed to the curated table. Written only after the
  curated MERGE has committed; a crash in between leaves the object claimed but not done,
  and the sweep merges it again, which changes nothing (the MERGE only takes strictly
  newer versions).

Claims are inserted by a MERGE on ``landing_key``, so of two runs that claim one object
concurrently, Delta lets one commit and retries the other, which then finds the claim.
Reading the ledger reads one row per landing object, never the raw or curated rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .commits import with_conflict_retry
from .layout import object_folder_of
from .storage import ensure_table, table_exists

CLAIMED, DONE = "claimed", "done"
# The claim of the objects a raw table held when its ledger was started (adopt_raw).
ADOPTED = "adopted"

LEDGER_SCHEMA = T.StructType(
    [
        T.StructField("landing_key", T.StringType()),
        T.StructField("event", T.StringType()),
        T.StructField("claim_id", T.StringType()),
        T.StructField("run_id", T.StringType()),
        T.StructField("at", T.TimestampType()),
    ]
)

LEDGER_TABLE_PROPERTIES = {"delta.autoOptimize.optimizeWrite": "true", "delta.autoOptimize.autoCompact": "true"}


@dataclass(frozen=True)
class ObjectState:
    claim_id: str
    done: bool


def raw_transaction_id(claim_id: str) -> str:
    """The Delta transaction identifier (``txnAppId``) of a claim's raw append."""
    return f"ledgerflow-raw:{claim_id}"


def _ledger(spark: SparkSession, path: str):
    return spark.read.format("delta").load(path)


def states(spark: SparkSession, path: str, keys: Sequence[str] | None = None) -> dict[str, ObjectState]:
    """The claim and done state of the landing objects (all claimed ones when ``keys`` is None)."""
    if keys is not None and not keys or not table_exists(spark, path):
        return {}
    rows = _ledger(spark, path)
    if keys is not None:
        rows = rows.where(F.col("landing_key").isin(list(keys)))
    # A few events per object (one claim, a done per run that completed it): gathered as
    # they are, without the
    # shuffle of a groupBy (a second or more of every run on two cores).
    return _states_of(rows.select("landing_key", "event", "claim_id").collect())


def _states_of(events) -> dict[str, ObjectState]:
    """The greatest claim id per object, done when any event says so; objects without a
    claim are left out."""
    claim_ids: dict[str, str] = {}
    done: set[str] = set()
    for event in events:
        if event.event == CLAIMED and event.claim_id is not None and event.claim_id > claim_ids.get(event.landing_key, ""):
            claim_ids[event.landing_key] = event.claim_id
        elif event.event == DONE:
            done.add(event.landing_key)
    return {key: ObjectState(claim_id, key in done) for key, claim_id in claim_ids.items()}


def claim_keys(spark: SparkSession, path: str, claim_ids: Sequence[str]) -> dict[str, list[str]]:
    """The landing objects of each claim."""
    if not claim_ids:
        return {}
    rows = _ledger(spark, path).where((F.col("event") == CLAIMED) & F.col("claim_id").isin(list(claim_ids))).select("claim_id", "landing_key")
    keys: dict[str, list[str]] = {claim_id: [] for claim_id in claim_ids}
    for row in rows.collect():
        keys[row.claim_id].append(row.landing_key)
    return {claim_id: sorted(found) for claim_id, found in keys.items()}


def claimed_before(spark: SparkSession, path: str, claim_id: str, folders: Sequence[str]) -> list[str]:
    """The landing objects in ``folders`` that claims made before ``claim_id`` hold (by claim
    time, then claim id): their rows reach the raw table first (redelivery.py)."""
    if not folders or not table_exists(spark, path):
        return []
    claims = _ledger(spark, path).where(F.col("event") == CLAIMED)
    claimed_at = claims.where(F.col("claim_id") == claim_id).agg(F.min("at")).first()[0]
    if claimed_at is None:
        return []
    before = (F.col("at") < F.lit(claimed_at)) | ((F.col("at") == F.lit(claimed_at)) & (F.col("claim_id") < F.lit(claim_id)))
    in_folders = object_folder_of(F.col("landing_key")).isin(list(folders))
    return [row.landing_key for row in claims.where(before & in_folders).select("landing_key").collect()]


def adopt_raw(spark: SparkSession, path: str, raw_path: str) -> None:
    """Starts the ledger of a lake merged before it existed: every object in the raw table
    counts as claimed and done (that merge compared curated with raw). Runs once, when
    there is a raw table and no ledger yet."""
    if table_exists(spark, path) or not table_exists(spark, raw_path):
        return
    ensure_table(spark, path, LEDGER_SCHEMA, LEDGER_TABLE_PROPERTIES)
    loaded = spark.read.format("delta").load(raw_path).select("landing_key").distinct()
    events = spark.createDataFrame([(CLAIMED,), (DONE,)], "event string")
    rows = loaded.crossJoin(events).select("landing_key", "event", F.lit(ADOPTED).alias("claim_id"), F.lit(ADOPTED).alias("run_id"), F.current_timestamp().alias("at"))

    def insert() -> None:
        (
            DeltaTable.forPath(spark, path)
            .alias("t")
            .merge(rows.alias("s"), "t.event = s.event AND t.landing_key = s.landing_key")
            .whenNotMatchedInsertAll()
            .execute()
        )

    with_conflict_retry(insert, f"adopt {raw_path}")


def claim(spark: SparkSession, path: str, keys: Sequence[str], claim_id: str, run_id: str) -> dict[str, ObjectState]:
    """Claims the objects no claim holds yet; returns the state of every object in ``keys``
    (an object another run claimed first keeps that run's claim)."""
    ensure_table(spark, path, LEDGER_SCHEMA, LEDGER_TABLE_PROPERTIES)
    rows = spark.createDataFrame([(key, CLAIMED, claim_id, run_id) for key in keys], "landing_key string, event string, claim_id string, run_id string")
    rows = rows.withColumn("at", F.current_timestamp())

    def insert() -> None:
        (
            DeltaTable.forPath(spark, path)
            .alias("t")
            .merge(rows.alias("s"), f"t.event = '{CLAIMED}' AND t.landing_key = s.landing_key")
            .whenNotMatchedInsertAll()
            .execute()
        )

    with_conflict_retry(insert, f"claim {path}")
    return states(spark, path, keys)


def mark_done(spark: SparkSession, path: str, claims: dict[str, list[str]], run_id: str) -> None:
    """Records the claims' objects as done (their rows are in the curated table): a blind append."""
    rows = [(key, DONE, claim_id, run_id) for claim_id, keys in sorted(claims.items()) for key in keys]
    if rows:
        frame = spark.createDataFrame(rows, "landing_key string, event string, claim_id string, run_id string")
        frame.withColumn("at", F.current_timestamp()).write.format("delta").mode("append").save(path)
