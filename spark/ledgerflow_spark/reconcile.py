"""Where did every accepted record go? Reconciliation from the data in the lake.

Input: the event ids a producer got a 202 for, with the time of the 202. For each
source, every accepted event id must be found in exactly one of the raw table (it
passed validation) or the quarantine table (it did not). Of the raw ones, each is
either the current version of its key in the curated table, a delete that is the
current state of its key, or superseded by a newer version. ``lost`` counts accepted
ids found nowhere; it is computed, never assumed.

Freshness: for records that are the current version in the curated table, the time
from the 202 to the MERGE that made the row visible (``_merged_at``).

Run: ``python -m ledgerflow_spark.reconcile --input accepted.json [--output result.json]``
with ``accepted.json`` = ``{"bucket": "lake", "accepted": [{"eventId", "source", "acceptedAt"}]}``
(``acceptedAt`` in epoch milliseconds).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .layout import bucket_root, table_path
from .storage import table_exists
from .session import spark_session

ACCEPTED = T.StructType(
    [
        T.StructField("eventId", T.StringType(), False),
        T.StructField("source", T.StringType(), False),
        T.StructField("acceptedAt", T.LongType(), False),
    ]
)


def _table(spark: SparkSession, root: str, layer: str, source: str) -> DataFrame | None:
    path = table_path(root, layer, source)
    return spark.read.format("delta").load(path) if table_exists(spark, path) else None


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def reconcile_source(spark: SparkSession, root: str, source: str, accepted: DataFrame) -> tuple[dict[str, Any], list[float]]:
    """Counts for one source and its freshness samples; ``accepted`` holds that source's accepted event ids."""
    ids = accepted.select("eventId", "acceptedAt").dropDuplicates(["eventId"])
    empty = spark.createDataFrame([], "event_id string")
    raw = _table(spark, root, "raw", source)
    quarantine = _table(spark, root, "quarantine", source)
    curated = _table(spark, root, "curated", source)

    raw_ids = raw.select("event_id").where(F.col("event_id").isNotNull()).distinct() if raw else empty
    quarantine_ids = quarantine.select("event_id").where(F.col("event_id").isNotNull()).distinct() if quarantine else empty

    flagged = (
        ids.join(raw_ids.withColumn("in_raw", F.lit(True)), ids.eventId == raw_ids.event_id, "left")
        .drop("event_id")
        .join(quarantine_ids.withColumn("in_quarantine", F.lit(True)), ids.eventId == quarantine_ids.event_id, "left")
        .drop("event_id")
        .fillna(False, ["in_raw", "in_quarantine"])
    )
    counts = flagged.agg(
        F.count("*").alias("accepted"),
        F.sum(F.col("in_raw").cast("int")).alias("valid"),
        F.sum(F.col("in_quarantine").cast("int")).alias("quarantined"),
        F.sum((F.col("in_raw") & F.col("in_quarantine")).cast("int")).alias("in_both"),
        F.sum((~F.col("in_raw") & ~F.col("in_quarantine")).cast("int")).alias("lost"),
    ).first()

    current_rows = 0
    deletes_applied = 0
    current_ids = 0
    freshness: list[float] = []
    if curated is not None:
        current = curated.select("_event_id", "_is_deleted", "_merged_at")
        current_rows = current.where(~F.col("_is_deleted")).count()
        matched = ids.join(current, ids.eventId == current._event_id, "inner")
        current_ids = matched.where(~F.col("_is_deleted")).count()
        deletes_applied = matched.where(F.col("_is_deleted")).count()
        freshness = [
            row.seconds
            for row in matched.where(~F.col("_is_deleted"))
            .select(((F.unix_millis(F.col("_merged_at")) - F.col("acceptedAt")) / 1000.0).alias("seconds"))
            .collect()
        ]

    reasons: dict[str, int] = {}
    if quarantine is not None:
        in_batch = quarantine.join(ids, quarantine.event_id == ids.eventId, "inner")
        for row in in_batch.groupBy(F.col("reasons")[0]["message"].alias("reason")).count().collect():
            reasons[row.reason or "unknown"] = row["count"]

    valid = counts.valid or 0
    return {
        "source": source,
        "accepted": counts.accepted or 0,
        "quarantined": counts.quarantined or 0,
        "quarantineReasons": dict(sorted(reasons.items(), key=lambda item: -item[1])),
        "valid": valid,
        "curated": current_ids,
        "deletesApplied": deletes_applied,
        "superseded": valid - current_ids - deletes_applied,
        "curatedRows": current_rows,
        "inBoth": counts.in_both or 0,
        "lost": counts.lost or 0,
        "freshnessSeconds": _summary(freshness),
    }, freshness


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50": _percentile(samples, 0.5), "p95": _percentile(samples, 0.95), "samples": len(samples)}


def reconcile(spark: SparkSession, bucket: str, accepted: list[dict[str, Any]]) -> dict[str, Any]:
    root = bucket_root(bucket)
    frame = spark.createDataFrame([(a["eventId"], a["source"], int(a["acceptedAt"])) for a in accepted], ACCEPTED).cache()
    sources = sorted({a["source"] for a in accepted})
    results = [reconcile_source(spark, root, source, frame.where(F.col("source") == source)) for source in sources]
    per_source = [counts for counts, _ in results]
    totals: dict[str, Any] = {
        key: sum(s[key] for s in per_source)
        for key in ("accepted", "quarantined", "valid", "curated", "deletesApplied", "superseded", "curatedRows", "inBoth", "lost")
    }
    totals["freshnessSeconds"] = _summary([sample for _, samples in results for sample in samples])
    return {"sources": per_source, "totals": totals}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reconcile accepted event ids against the raw, curated and quarantine tables.")
    parser.add_argument("--input", required=True, help='JSON file: {"bucket": "...", "accepted": [{"eventId", "source", "acceptedAt"}]}')
    parser.add_argument("--output", help="write the result here as JSON (default: stdout)")
    args = parser.parse_args(argv)
    with open(args.input, encoding="utf-8") as handle:
        request = json.load(handle)
    with spark_session() as spark:
        result = reconcile(spark, request["bucket"], request["accepted"])
    text = json.dumps(result, indent=2, default=str)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
