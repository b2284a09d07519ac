"""A record's journey by event id: its rows in the raw, curated and quarantine tables.

Run: ``python -m ledgerflow_spark.trace --bucket lake --source claims <event-id>``;
prints JSON ``{"raw": [...], "curated": [...], "quarantine": [...]}`` (rows as objects).
"""

from __future__ import annotations

import argparse
import json
import sys

from pyspark.sql import functions as F

from .layout import bucket_root, table_path
from .storage import table_exists
from .session import spark_session

ID_COLUMN = {"raw": "event_id", "curated": "_event_id", "quarantine": "event_id"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Find a record by event id in the raw, curated and quarantine tables.")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("event_id")
    args = parser.parse_args(argv)
    with spark_session() as spark:
        found: dict[str, list[dict]] = {}
        for layer, column in ID_COLUMN.items():
            path = table_path(bucket_root(args.bucket), layer, args.source)
            rows = spark.read.format("delta").load(path).where(F.col(column) == args.event_id).collect() if table_exists(spark, path) else []
            found[layer] = [row.asDict(recursive=True) for row in rows]
    sys.stdout.write(json.dumps(found, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
