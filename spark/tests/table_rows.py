"""Rows of a Delta table as Spark and as delta-rs (``deltalake``) see them, comparable."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

from deltalake import DeltaTable as RustDeltaTable
from pyspark.sql import Row


def plain(value):
    """A value as JSON-comparable data: timestamps in UTC, decimals as numbers."""
    if isinstance(value, Row):
        value = value.asDict(recursive=True)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        # Spark gives naive local times, delta-rs aware UTC ones.
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def rows_seen_by_spark(spark, path: str) -> list[str]:
    return sorted(json.dumps(plain(row.asDict(recursive=True)), sort_keys=True) for row in spark.read.format("delta").load(path).collect())


def rows_seen_by_delta_rs(path: str) -> list[str]:
    rows = RustDeltaTable(path.removeprefix("file:")).to_pyarrow_table().to_pylist()
    return sorted(json.dumps(plain(row), sort_keys=True) for row in rows)
