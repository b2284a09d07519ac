"""The sweep: merges every landing object that is not done, for every source.

    python -m ledgerflow_spark.sweep --bucket lake [--source claims ...]

An object is not done when no run claimed it (its trigger was lost) or when the run that
claimed it stopped before its curated commit (ledger.py). The local job service sweeps at
start and every minute; in AWS a scheduled rule runs the merge job with ``--all-pending``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Sequence

from pyspark.sql import SparkSession

from .contracts import contracts
from .merge import MergeResult, run_merge


def sweep(spark: SparkSession, bucket: str, sources: Sequence[str] | None = None) -> list[MergeResult]:
    """One all-pending merge run per source."""
    return [run_merge(spark, bucket, source, None) for source in sources or sorted(contracts())]


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="ledgerflow_spark.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", required=True, help="lake bucket name, or a storage root URI")
    parser.add_argument("--source", action="append", choices=sorted(contracts()), help="default: every source")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from .session import spark_session

    with spark_session() as spark:
        for result in sweep(spark, args.bucket, args.source):
            print(json.dumps(result.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
