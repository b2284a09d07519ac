"""A crash between the S3 write and the offset commit: the batch read again after the restart
has other boundaries, so its objects get other names and repeat records already in the lake.
Every stream position still reaches the raw and quarantine tables once."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from ledgerflow_spark import merge
from ledgerflow_spark.merge import run_merge
from ledgerflow_spark.redelivery import PositionRange, overlapping_objects, position_range
from ledgerflow_spark.sweep import sweep

from .landing import kinesis_line, landing_line, quarantine_line, transaction, upsert
from .test_recovery import InjectedCrashError, crash

AT = "2026-03-01T10:00:00.000Z"


def table(spark, lake, layer):
    return spark.read.format("delta").load(lake.table(layer))


def offsets(spark, lake, layer) -> list[int]:
    return sorted(row.kafka_offset for row in table(spark, lake, layer).select("kafka_offset").collect())


def batch(first: int, last: int) -> list[dict]:
    return [upsert(f"t{offset}", AT, offset) for offset in range(first, last + 1)]


def other_records(first: int, last: int) -> list[dict]:
    """Records at the same positions as ``batch``'s but different ones (a topic created again)."""
    lines = [landing_line("transactions", f"n{offset}", AT, offset, transaction(f"n{offset}", AT), event_id=f"evt-new-{offset}") for offset in range(first, last + 1)]
    return [{**line, "kafkaTimestamp": line["kafkaTimestamp"] + 86_400_000} for line in lines]


def rejected(offset: int) -> dict:
    line = landing_line("transactions", f"bad{offset}", AT, offset)
    return quarantine_line(line, [{"path": "amount", "message": "must be a decimal string"}], {"amount": 1.5})


def test_keys_name_their_positions_and_only_same_partition_overlaps_count():
    first, later, other_partition = (
        "landing/transactions/ingest.transactions/partition=0/00000000000000000000-00000000000000000009.ndjson",
        "landing/transactions/ingest.transactions/partition=0/00000000000000000005-00000000000000000014.ndjson",
        "landing/transactions/ingest.transactions/partition=1/00000000000000000000-00000000000000000009.ndjson",
    )
    assert position_range(later) == PositionRange("landing/transactions/ingest.transactions/partition=0/", "5".zfill(129), "14".zfill(129))
    assert position_range("quarantine/transactions/files/abcd-report.csv.ndjson") is None
    assert overlapping_objects([later], [first, other_partition, later]) == [first]
    assert overlapping_objects([other_partition], [later]) == []


def test_a_redelivered_batch_that_ends_later_adds_only_its_new_records_to_raw(spark, lake):
    run_merge(spark, lake.root, "transactions", [lake.landing(batch(0, 9))])

    result = run_merge(spark, lake.root, "transactions", [lake.landing(batch(0, 14))])

    assert offsets(spark, lake, "raw") == list(range(15))
    assert result.raw_rows_loaded == 5
    assert table(spark, lake, "curated").count() == 15


def test_overlapping_objects_merged_in_one_run_load_each_record_once(spark, lake):
    keys = [lake.landing(batch(0, 9)), lake.landing(batch(5, 14)), lake.landing(batch(20, 24))]

    result = run_merge(spark, lake.root, "transactions", keys)
    again = sweep(spark, lake.root, ["transactions"])

    assert offsets(spark, lake, "raw") == [*range(15), *range(20, 25)]
    assert (result.raw_rows_loaded, result.curated_inserted) == (20, 20)
    assert again[0].landing_objects == 0


def test_an_earlier_claim_completed_after_a_later_one_keeps_its_rows(spark, lake, monkeypatch):
    """The first delivery's run stops after its claim; the redelivery is merged; the sweep then
    completes the first claim. Each record is in raw once, under the first delivery's object."""
    early = lake.landing(batch(0, 9))
    monkeypatch.setattr(merge, "load_raw", crash)
    with pytest.raises(InjectedCrashError):
        merge.run_merge(spark, lake.root, "transactions", [early])
    monkeypatch.undo()
    late = lake.landing(batch(0, 14))
    merge.run_merge(spark, lake.root, "transactions", [late])

    sweep(spark, lake.root, ["transactions"])

    assert offsets(spark, lake, "raw") == list(range(15))
    assert table(spark, lake, "raw").where(F.col("landing_key") == early).count() == 10
    assert table(spark, lake, "curated").count() == 15


def test_redelivered_quarantine_lines_are_loaded_once(spark, lake):
    lake.quarantine([rejected(offset) for offset in (2, 5, 8)])
    run_merge(spark, lake.root, "transactions", [lake.landing(batch(0, 1))])
    lake.quarantine([rejected(offset) for offset in (2, 5, 8, 12)])
    lake.quarantine([rejected(offset) for offset in (8, 12, 13)])

    result = run_merge(spark, lake.root, "transactions", [])

    assert offsets(spark, lake, "quarantine") == [2, 5, 8, 12, 13]
    assert result.quarantine_rows_loaded == 2


def test_redelivered_kinesis_records_are_loaded_once(spark, lake):
    def lines(first: int, last: int) -> list[dict]:
        return [kinesis_line("transactions", f"k{n}", AT, 0, str(10**54 + n), transaction(f"k{n}", AT), f"evt-k{n}") for n in range(first, last + 1)]

    keys = [lake.landing(lines(0, 3)), lake.landing(lines(2, 6))]
    run_merge(spark, lake.root, "transactions", keys[:1])
    run_merge(spark, lake.root, "transactions", keys[1:])

    numbers = sorted(int(row.sequence_number) - 10**54 for row in table(spark, lake, "raw").collect())
    assert numbers == list(range(7))


def test_different_records_at_positions_already_loaded_are_all_loaded(spark, lake):
    """Positions are not identities: a topic deleted and created again starts at offset 0."""
    run_merge(spark, lake.root, "transactions", [lake.landing(batch(0, 9))])

    result = run_merge(spark, lake.root, "transactions", [lake.landing(other_records(0, 14))])

    assert result.raw_rows_loaded == 15
    assert offsets(spark, lake, "raw") == sorted([*range(10), *range(15)])
    assert table(spark, lake, "curated").count() == 25


def test_a_redelivery_mixed_with_new_records_at_old_positions_drops_only_the_repeats(spark, lake):
    run_merge(spark, lake.root, "transactions", [lake.landing(batch(0, 9))])
    mixed = [*batch(0, 4), *other_records(5, 12)]

    result = run_merge(spark, lake.root, "transactions", [lake.landing(mixed)])

    assert result.raw_rows_loaded == 8
    event_ids = {row.event_id for row in table(spark, lake, "raw").collect()}
    assert event_ids == {f"evt-transactions-0-{n}" for n in range(10)} | {f"evt-new-{n}" for n in range(5, 13)}


def test_different_rejected_records_at_positions_already_quarantined_are_all_loaded(spark, lake):
    lake.quarantine([rejected(offset) for offset in (2, 5, 8)])
    run_merge(spark, lake.root, "transactions", [])
    newer = [{**rejected(offset), "eventId": f"evt-new-{offset}"} for offset in (2, 5, 8, 9)]
    lake.quarantine(newer)

    result = run_merge(spark, lake.root, "transactions", [])

    assert result.quarantine_rows_loaded == 4
    assert offsets(spark, lake, "quarantine") == [2, 2, 5, 5, 8, 8, 9]


def test_records_written_past_ingest_without_an_event_id_are_told_apart_by_their_broker_timestamp(spark, lake):
    """A producer writing straight to the topic sends no event id header: a redelivered copy
    (same timestamp) loads once, a different record at a reused position (a topic created
    again, another timestamp) still loads."""
    def headerless(offset: int, timestamp_shift: int = 0) -> dict:
        line = {**rejected(offset), "eventId": None}
        return {**line, "kafkaTimestamp": line["kafkaTimestamp"] + timestamp_shift}

    lake.quarantine([headerless(offset) for offset in (3, 4)])
    run_merge(spark, lake.root, "transactions", [])
    lake.quarantine([headerless(3), headerless(4), headerless(5)])
    lake.quarantine([headerless(offset, 86_400_000) for offset in (4, 5, 6)])

    result = run_merge(spark, lake.root, "transactions", [])

    assert result.quarantine_rows_loaded == 4
    assert offsets(spark, lake, "quarantine") == [3, 4, 4, 5, 5, 6]
