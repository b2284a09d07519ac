"""Records that reach the lake twice, in batches with different boundaries.

A batch's objects are named by its first and last stream position (layers/contracts/lake.ts),
so a batch retried with the same records overwrites its own objects. A consumer that stops
between its S3 write and its offset commit reads the batch again after a restart, and that
batch may end later (more records arrived) or be split differently: its objects get other
names and hold records an earlier object already holds. The raw and quarantine loads drop
those records, so each record is loaded once.

A record is known by its stream position *and* its identity (event id and broker
timestamp): positions alone repeat, in a topic deleted and created again, or in objects
written by tests with made-up offsets, and those are different records that must load.

Which object came first is decided by whoever loads: the raw load takes the landing objects
claimed before its claim (ledger.py), the quarantine load takes the quarantine objects the
table already holds. Only earlier objects whose key range overlaps are read. Within one load,
of two objects holding a record the one with the lower key keeps it. Validation is
deterministic, so the copies are the same line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import Iterable, Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from .layout import object_folder_of
from .transforms import SEQUENCE_NUMBER_WIDTH

# <folder of one topic-partition or shard>/<first>-<last>.ndjson
_RANGE_KEY = re.compile(r"^(?P<folder>.+/)(?P<first>\d+)-(?P<last>\d+)\.ndjson$")

# What makes two rows the same delivered record: the object folder (topic-partition or shard),
# the position in it, and the record's identity.
_IDENTITY = ("_folder", "_position", "event_id", "kafka_timestamp")


@dataclass(frozen=True, order=True)
class PositionRange:
    """The stream positions an object holds: one partition's (or shard's) folder, and the
    first and last position, left-padded so that they compare as numbers."""

    folder: str
    first: str
    last: str

    def overlaps(self, other: PositionRange) -> bool:
        return self.folder == other.folder and self.first <= other.last and other.first <= self.last


def _padded(digits: str) -> str:
    return digits.lstrip("0").zfill(SEQUENCE_NUMBER_WIDTH)


def position_range(key: str) -> PositionRange | None:
    """The range in an object's key; None for objects not named by positions (dropped files)."""
    match = _RANGE_KEY.match(key)
    return match and PositionRange(match["folder"], _padded(match["first"]), _padded(match["last"]))


def overlapping_objects(keys: Sequence[str], earlier: Iterable[str]) -> list[str]:
    """The ``earlier`` object keys (not among ``keys``) whose range shares a position with one of ``keys``."""
    mine = [found for found in map(position_range, keys) if found]
    return sorted(
        {key for key in earlier if key not in keys and (found := position_range(key)) and any(found.overlaps(range_) for range_ in mine)},
    )


def overlap_each_other(keys: Sequence[str]) -> bool:
    ranges = sorted(found for found in map(position_range, keys) if found)
    return any(a.overlaps(b) for a, b in zip(ranges, ranges[1:]))


def _located(rows: DataFrame, key_column: str) -> DataFrame:
    """Rows with their object's folder and their stream position as a padded string (null
    for a line of a dropped file, which has no position)."""
    position = F.lpad(F.coalesce(F.col("kafka_offset").cast("string"), F.col("sequence_number")), SEQUENCE_NUMBER_WIDTH, "0")
    return rows.withColumn("_folder", object_folder_of(F.col(key_column))).withColumn("_position", position)


def first_delivery_only(rows: DataFrame, key_column: str, keys: Sequence[str], earlier_rows: DataFrame | None) -> DataFrame:
    """The rows of the objects ``keys`` (raw or quarantine rows, object key in ``key_column``)
    that no row of ``earlier_rows`` (the rows of earlier, overlapping objects, same columns)
    repeats, one per record. Rows without a position are kept. With no earlier rows and no
    overlap among ``keys`` (the usual case) the rows are returned as they are."""
    if earlier_rows is None and not overlap_each_other(keys):
        return rows
    located = _located(rows, key_column)
    if earlier_rows is not None:
        held = _located(earlier_rows, key_column).select(*[F.col(name).alias(f"_held{name}") for name in _IDENTITY]).distinct()
        same: Column = reduce(lambda a, b: a & b, [located[name].eqNullSafe(held[f"_held{name}"]) for name in _IDENTITY])
        located = located.join(held, same, "left_anti")
    by_record = Window.partitionBy(*_IDENTITY).orderBy(F.col(key_column))
    located = located.withColumn("_copy", F.row_number().over(by_record))
    return located.where(F.col("_position").isNull() | (F.col("_copy") == 1)).drop("_folder", "_position", "_copy")
