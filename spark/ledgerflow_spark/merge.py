"""Landing objects of one source into its raw, curated and quarantine Delta tables.

One run, for a source and a list of landing object keys (or every pending one):

1. **claim**: the requested objects that no claim holds yet are claimed in the ledger
   (``ledger.py``); objects that are done are skipped, so a repeated run does nothing.
2. **raw (bronze)**: each open claim's landing lines are appended to
   ``tables/raw/<source>`` with their lineage, under Delta's transaction identifier of the
   claim: a claim is appended at most once, whoever completes it. The raw table is never
   read. Records an earlier claim's objects already hold (a batch delivered again with other
   boundaries, ``redelivery.py``) are left out: the ledger's object keys say which earlier
   objects overlap, and their rows are compared by position and event id.
3. **curated (silver)**: the same lines are flattened, de-duplicated by business key
   (``transforms.version_order``: event time, then stream position, then event id) and
   MERGEd into ``tables/curated/<source>`` in one pass: a row is only replaced by a
   strictly newer version, so late, older updates never overwrite. Deletes become
   tombstones (``_is_deleted = true``, fields null): a late upsert older than the delete
   cannot bring the row back. The ``curated.<source>`` view shows live rows only.
4. **done**: the ledger records the objects as done, after the curated commit. A run that
   stops before leaves them claimed; the sweep (``--all-pending``, run by the job service
   every minute) completes them.
5. **quarantine**: quarantine objects of the source not loaded before are inserted into
   ``tables/quarantine/<source>`` with their reasons, each stream position once.

Every Delta commit is retried on Delta's concurrency conflicts, and each retry
re-reads the tables, so two overlapping runs on one table give the serial result.

This module is the run (orchestration and ``main``); its parts are ``formats`` (reading
the lines, in the formats of the lake contract), ``transforms`` (pure DataFrame steps),
``storage`` (listing objects, Delta tables) and ``commits`` (the MERGEs and retries).
Prefixes, key formats, table paths and line formats come from ``lake_contract.json``,
exported from layers/contracts by ``npm run contracts:export``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator, Sequence

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from . import ledger
from .commits import append_once, insert_new_lines, merge_newer_versions, with_conflict_retry
from .contracts import SourceContract, contract_for
from .formats import LANDING_LINE, QUARANTINE_LINE, read_lines
from .layout import bucket_root, landing_prefix, ledger_path, object_folder, object_path, quarantine_prefix, table_path
from .redelivery import first_delivery_only, overlapping_objects
from .storage import add_missing_columns, ensure_table, keys_in_folders, list_objects
from .transforms import CURATED_METADATA, curated_schema, extra_fields_of, landing_to_raw, latest_per_key, quarantine_to_rows, raw_to_curated

log = logging.getLogger("ledgerflow.merge")

# Small files from frequent runs are compacted as they are written (optimized writes, auto
# compaction). No deletion vectors: readers such as delta-rs (deltalake) refuse them.
COMPACTED = {"delta.autoOptimize.optimizeWrite": "true", "delta.autoOptimize.autoCompact": "true"}
# Change data feed for downstream consumers.
CURATED_TABLE_PROPERTIES = {**COMPACTED, "delta.enableChangeDataFeed": "true"}
# Raw appends carry one Delta transaction identifier per claim (ledger.py); a claim is done
# within minutes (the sweep runs every minute), so a week of identifiers is plenty.
RAW_TABLE_PROPERTIES = {**COMPACTED, "delta.setTransactionRetentionDuration": "interval 7 days"}


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


@contextmanager
def timed(timings: dict[str, int], stage: str) -> Iterator[None]:
    """Records the stage's wall time in milliseconds, also when it fails."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - started) * 1000)


def _insert_lines(spark: SparkSession, path: str, rows, key_column: str, keys: Sequence[str]) -> int:
    """Inserts the rows of the objects not loaded yet; returns how many rows they held."""
    rows = rows.cache()
    try:
        count = rows.count()
        ensure_table(spark, path, rows.schema)
        add_missing_columns(spark, path, rows.schema)
        insert_new_lines(spark, path, rows, key_column, keys)
        return count
    finally:
        rows.unpersist()


def claim_objects(spark: SparkSession, root: str, contract: SourceContract, keys: Sequence[str], result: MergeResult) -> dict[str, list[str]]:
    """Claims the requested objects no claim holds; returns the landing objects of every
    claim that is not done and holds one of them (this run's, and any a stopped run left)."""
    path = ledger_path(root, contract.source)
    known = ledger.states(spark, path, keys)
    unclaimed = [key for key in keys if key not in known]
    if unclaimed:
        # Reading them first: a key with no object fails the run before anything is claimed.
        read_lines(spark, root, unclaimed, LANDING_LINE, contract.prefixes["landing"])
        known.update(ledger.claim(spark, path, unclaimed, result.run_id, result.run_id))
    open_claims = sorted({state.claim_id for state in known.values() if not state.done})
    return ledger.claim_keys(spark, path, open_claims)


def _earlier_landing_rows(spark: SparkSession, root: str, contract: SourceContract, claim_id: str, claim_keys: Sequence[str], load_id: str):
    """The raw rows of landing objects claimed before ``claim_id`` whose range overlaps one of
    its objects (a batch delivered again), or None when there are none (the usual case)."""
    folders = sorted({object_folder(key) for key in claim_keys})
    earlier = overlapping_objects(claim_keys, ledger.claimed_before(spark, ledger_path(root, contract.source), claim_id, folders))
    if not earlier:
        return None
    # Landing objects expire after a month; one that is gone is no longer read.
    present = {key for folder in folders for key in list_objects(spark, object_path(root, folder), contract.prefixes["landing"])}
    earlier = [key for key in earlier if key in present]
    return landing_to_raw(read_lines(spark, root, earlier, LANDING_LINE, contract.prefixes["landing"]), load_id) if earlier else None


def load_raw(spark: SparkSession, root: str, contract: SourceContract, claims: dict[str, list[str]], lines, result: MergeResult) -> None:
    """Appends each claim's raw rows once (Delta skips an append its identifier already made),
    leaving out records an earlier claim's objects hold (``redelivery.py``)."""
    raw_path = table_path(root, "raw", contract.source)
    raw = landing_to_raw(lines, result.run_id)
    ensure_table(spark, raw_path, raw.schema, RAW_TABLE_PROPERTIES)
    for claim_id, claim_keys in claims.items():
        earlier = _earlier_landing_rows(spark, root, contract, claim_id, claim_keys, result.run_id)
        rows = first_delivery_only(raw.where(F.col("landing_key").isin(claim_keys)), "landing_key", claim_keys, earlier)
        rows = rows.withColumn("load_id", F.lit(claim_id))
        result.raw_rows_loaded += rows.count()
        with_conflict_retry(lambda rows=rows, claim_id=claim_id: append_once(rows, raw_path, ledger.raw_transaction_id(claim_id)), f"raw {contract.source}")
    result.landing_objects_loaded = sum(len(claim_keys) for claim_keys in claims.values())


def merge_curated(spark: SparkSession, root: str, contract: SourceContract, lines, result: MergeResult) -> None:
    """MERGEs the newest version per business key of the claimed objects' lines."""
    curated_path = table_path(root, "curated", contract.source)
    raw = landing_to_raw(lines, result.run_id)
    extras = extra_fields_of(raw, contract)
    incoming = latest_per_key(raw_to_curated(raw, contract, extras, result.run_id), contract.business_key).cache()
    try:
        result.curated_candidates = incoming.count()
        ensure_table(spark, curated_path, curated_schema(contract), CURATED_TABLE_PROPERTIES)
        add_missing_columns(spark, curated_path, CURATED_METADATA)
        changes = with_conflict_retry(
            lambda: merge_newer_versions(spark, curated_path, incoming, contract.business_key, result.run_id), f"curated {contract.source}"
        )
        result.curated_inserted, result.curated_updated, result.curated_deleted = changes.inserted, changes.updated, changes.deleted
        result.curated_unchanged = result.curated_candidates - changes.total
    finally:
        incoming.unpersist()


def load_quarantine(spark: SparkSession, root: str, contract: SourceContract, result: MergeResult) -> None:
    quarantine_path = table_path(root, "quarantine", contract.source)
    key_prefix = contract.prefixes["quarantine"]

    def attempt() -> None:
        keys = list_objects(spark, quarantine_prefix(root, contract.source), key_prefix)
        # One read of the table's keys: which objects are loaded, and which of those may overlap.
        loaded = set(keys_in_folders(spark, quarantine_path, "quarantine_key", sorted({object_folder(key) for key in keys})))
        pending = sorted(set(keys) - loaded)
        result.quarantine_objects_loaded = len(pending)
        result.quarantine_rows_loaded = 0
        if not pending:
            return
        earlier = overlapping_objects(pending, loaded)
        earlier_rows = spark.read.format("delta").load(quarantine_path).where(F.col("quarantine_key").isin(earlier)) if earlier else None
        rows = quarantine_to_rows(read_lines(spark, root, pending, QUARANTINE_LINE, key_prefix), result.run_id)
        rows = first_delivery_only(rows, "quarantine_key", pending, earlier_rows)
        result.quarantine_rows_loaded = _insert_lines(spark, quarantine_path, rows, "quarantine_key", pending)

    with_conflict_retry(attempt, f"quarantine {contract.source}")


def pending_landing_keys(spark: SparkSession, root: str, source: str) -> list[str]:
    """Every landing object of the source that is not done: never claimed, or claimed by a
    run that stopped before its curated commit. This is the sweep's work list."""
    listed = list_objects(spark, landing_prefix(root, source), contract_for(source).prefixes["landing"])
    known = ledger.states(spark, ledger_path(root, source))
    return sorted(key for key in set(listed) | set(known) if key not in known or not known[key].done)


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
    with timed(result.timings_ms, "total"):
        with timed(result.timings_ms, "list"):
            ledger.adopt_raw(spark, ledger_path(root, source), table_path(root, "raw", source))
            selected = sorted(set(keys)) if keys is not None else pending_landing_keys(spark, root, source)
        result.landing_objects = len(selected)
        selected = [key for key in selected if key.startswith(contract.prefixes["landing"])]
        with timed(result.timings_ms, "claim"):
            claims = claim_objects(spark, root, contract, selected, result) if selected else {}
        if claims:
            claimed = sorted(key for keys in claims.values() for key in keys)
            lines = read_lines(spark, root, claimed, LANDING_LINE, contract.prefixes["landing"]).cache()
            try:
                with timed(result.timings_ms, "raw"):
                    load_raw(spark, root, contract, claims, lines, result)
                with timed(result.timings_ms, "curated"):
                    merge_curated(spark, root, contract, lines, result)
            finally:
                lines.unpersist()
            with timed(result.timings_ms, "done"):
                ledger.mark_done(spark, ledger_path(root, contract.source), claims, result.run_id)
        with timed(result.timings_ms, "quarantine"):
            load_quarantine(spark, root, contract, result)
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
    from .session import spark_session

    args = parse_args(sys.argv[1:] if argv is None else argv)
    keys = None if args.all_pending else [key for key in args.objects.split(",") if key]
    with spark_session() as spark:
        result = run_merge(spark, args.bucket, args.source, keys, args.run_id)
        print(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
