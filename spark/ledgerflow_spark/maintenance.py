"""OPTIMIZE and VACUUM of the lake's Delta tables, with safe defaults.

    python -m ledgerflow_spark.maintenance --bucket lake [--source claims] [--layer curated]
        [--retain-hours 168] [--no-optimize] [--no-vacuum]

VACUUM keeps 168 hours (7 days) of removed files, Delta's default: readers and time
travel within a week keep working, and a running merge never loses files it still needs.
A shorter retention is refused.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from .contracts import LAYERS, contracts
from .layout import bucket_root, table_path

log = logging.getLogger("ledgerflow.maintenance")

MIN_RETAIN_HOURS = 168


def maintain_table(spark: SparkSession, path: str, optimize: bool = True, vacuum: bool = True, retain_hours: int = MIN_RETAIN_HOURS) -> dict:
    """Compacts small files (OPTIMIZE) and removes files unreferenced for ``retain_hours`` (VACUUM)."""
    if retain_hours < MIN_RETAIN_HOURS:
        raise ValueError(f"retain at least {MIN_RETAIN_HOURS} hours; {retain_hours} could break readers and running merges")
    if not DeltaTable.isDeltaTable(spark, path):
        return {"table": path, "skipped": "not a Delta table yet"}
    table = DeltaTable.forPath(spark, path)
    outcome: dict = {"table": path}
    if optimize:
        metrics = table.optimize().executeCompaction().select("metrics.numFilesAdded", "metrics.numFilesRemoved").first()
        outcome["optimize"] = {"filesAdded": metrics[0], "filesRemoved": metrics[1]}
    if vacuum:
        table.vacuum(retain_hours)
        outcome["vacuumRetainHours"] = retain_hours
    return outcome


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="ledgerflow_spark.maintenance", description="OPTIMIZE and VACUUM the lake's tables")
    parser.add_argument("--bucket", required=True, help="lake bucket name, or a storage root URI")
    parser.add_argument("--source", action="append", choices=sorted(contracts()), help="default: every source")
    parser.add_argument("--layer", action="append", choices=LAYERS, help="default: every layer")
    parser.add_argument("--retain-hours", type=int, default=MIN_RETAIN_HOURS)
    parser.add_argument("--no-optimize", action="store_true")
    parser.add_argument("--no-vacuum", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from .session import spark_session

    with spark_session() as spark:
        root = bucket_root(args.bucket)
        for layer in args.layer or LAYERS:
            for source in args.source or sorted(contracts()):
                outcome = maintain_table(spark, table_path(root, layer, source), not args.no_optimize, not args.no_vacuum, args.retain_hours)
                print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
