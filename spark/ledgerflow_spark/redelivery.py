"""Records that reach the lake twice, in batches with different boundaries.

A batch's objects are named by its first and last stream position (layers/contracts/lake.ts),
so a batch retried with the same records overwrites its own objects. A consumer that stops
between its S3 write and its offset commit reads the batch again after a restart, and that
batch may end later (more records arrived) or be split differently: its objects get other
names and hold records an earlier object already holds. The raw and quarantine loads drop
those records, so each stream position is loaded once.

Which object came first is decided by whoever loads: the raw load takes the landing objects
claimed before its claim (ledger.py), the quarantine load takes the quarantine objects the
table already holds. Within one load, of two objects holding a position the one with the
lower key keeps it. Validation is deterministic, so the copies are the same record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from .transforms import SEQUENCE_NUMBER_WIDTH

# <folder of one topic-partition or shard>/<first>-<last>.ndjson
_RANGE_KEY = re.compile(r"^(?P<folder>.+/)(?P<first>\d+)-(?P<last>\d+)\.ndjson$")


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


def object_folder(key: str) -> str:
    """The folder of an object's key: one topic-partition or shard for batch objects."""
    return key.rpartition("/")[0] + "/"


def overlapping_ranges(keys: Sequence[str], earlier: Iterable[str]) -> list[PositionRange]:
    """The ranges of the ``earlier`` objects that share a position with one of ``keys``."""
    mine = [found for found in map(position_range, keys) if found]
    return sorted(
        {found for key in earlier if key not in keys and (found := position_range(key)) and any(found.overlaps(range_) for range_ in mine)},
    )


def _position() -> Column:
    """A row's stream position as a padded string (null for a line of a dropped file)."""
    return F.lpad(F.coalesce(F.col("kafka_offset").cast("string"), F.col("sequence_number")), SEQUENCE_NUMBER_WIDTH, "0")


def _overlap_each_other(keys: Sequence[str]) -> bool:
    ranges = sorted(found for found in map(position_range, keys) if found)
    return any(a.overlaps(b) for a, b in zip(ranges, ranges[1:]))


def first_delivery_only(spark: SparkSession, rows: DataFrame, key_column: str, keys: Sequence[str], earlier: Sequence[PositionRange]) -> DataFrame:
    """The rows of the objects ``keys`` (raw or quarantine rows, object key in ``key_column``)
    whose stream position no ``earlier`` object holds, one per position. Rows without a
    position are kept. When nothing overlaps (the usual case), the rows are returned as they are."""
    if not earlier and not _overlap_each_other(keys):
        return rows
    located = rows.withColumn("_folder", F.regexp_extract(F.col(key_column), r"^(.+/)[^/]*$", 1)).withColumn("_position", _position())
    if earlier:
        ranges = spark.createDataFrame([(r.folder, r.first, r.last) for r in earlier], "_range_folder string, _first string, _last string")
        held = (F.col("_folder") == F.col("_range_folder")) & F.col("_position").between(F.col("_first"), F.col("_last"))
        located = located.join(F.broadcast(ranges), held, "left_anti")
    by_position = Window.partitionBy("_folder", "_position").orderBy(F.col(key_column))
    located = located.withColumn("_copy", F.row_number().over(by_position))
    return located.where(F.col("_position").isNull() | (F.col("_copy") == 1)).drop("_folder", "_position", "_copy")
