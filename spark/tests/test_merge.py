"""The merge job on a local folder laid out like the lake bucket: real Spark, real Delta."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from ledgerflow_spark.merge import run_merge

from .landing import delete, kinesis_line, landing_line, quarantine_line, transaction, upsert


def curated_rows(spark, lake, source="transactions", columns=("transactionId", "status", "amount", "_is_deleted")):
    return spark.read.format("delta").load(lake.table("curated", source)).select(*columns)


def versions(spark, path) -> int:
    return DeltaTable.forPath(spark, path).history().count()


def expected(spark, rows, schema="transactionId string, status string, amount decimal(38,6), _is_deleted boolean"):
    return spark.createDataFrame(rows, schema)


def test_loads_landing_lines_into_raw_with_lineage_and_curated_with_decimal_money(spark, lake):
    key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0, amount="125.40"), upsert("t2", "2026-03-01T10:00:00.000Z", 1, amount="0.07")])

    result = run_merge(spark, lake.root, "transactions", [key])

    raw = spark.read.format("delta").load(lake.table("raw"))
    assertDataFrameEqual(
        raw.select("landing_key", "kafka_topic", "kafka_partition", "kafka_offset", "event_id", "ingest_batch_id", "op", "business_key"),
        [
            (key, "ingest.transactions", 0, 0, "evt-transactions-0-0", "batch-0", "upsert", "t1"),
            (key, "ingest.transactions", 0, 1, "evt-transactions-0-1", "batch-0", "upsert", "t2"),
        ],
    )
    assert raw.where(F.col("loaded_at").isNull() | F.col("load_id").isNull()).count() == 0
    curated = spark.read.format("delta").load(lake.table("curated"))
    assert curated.schema["amount"].dataType == T.DecimalType(38, 6)
    assert curated.schema["updatedAt"].dataType == T.TimestampType()
    assertDataFrameEqual(
        curated.select("transactionId", "amount", "_event_time"),
        [("t1", Decimal("125.40"), datetime(2026, 3, 1, 10)), ("t2", Decimal("0.07"), datetime(2026, 3, 1, 10))],
    )
    assert (result.raw_rows_loaded, result.curated_inserted) == (2, 2)


def test_a_repeated_run_on_merged_input_changes_neither_table(spark, lake):
    key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0), upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    run_merge(spark, lake.root, "transactions", [key])
    raw_versions, curated_versions = versions(spark, lake.table("raw")), versions(spark, lake.table("curated"))
    before = spark.read.format("delta").load(lake.table("curated")).collect()

    again = run_merge(spark, lake.root, "transactions", [key])
    pending = run_merge(spark, lake.root, "transactions", None)

    assert versions(spark, lake.table("raw")) == raw_versions
    assert versions(spark, lake.table("curated")) == curated_versions
    assertDataFrameEqual(spark.read.format("delta").load(lake.table("curated")), before)
    assert spark.read.format("delta").load(lake.table("raw")).count() == 2
    # The ledger knows the object is done: the run reads nothing and commits nothing.
    assert (again.landing_objects_loaded, again.curated_candidates, again.curated_inserted + again.curated_updated) == (0, 0, 0)
    assert pending.landing_objects == 0


def test_a_late_older_update_never_overwrites_a_newer_version(spark, lake):
    newer = lake.landing([upsert("t1", "2026-03-01T12:00:00.000Z", 5, status="posted", amount="20.00")])
    run_merge(spark, lake.root, "transactions", [newer])

    late = lake.landing([upsert("t1", "2026-03-01T11:00:00.000Z", 9, status="pending", amount="19.00")], partition=1)
    result = run_merge(spark, lake.root, "transactions", [late])

    assertDataFrameEqual(curated_rows(spark, lake), expected(spark, [("t1", "posted", Decimal("20.00"), False)]))
    assert result.curated_unchanged == 1
    # The late version is still kept in raw, with its lineage.
    assert spark.read.format("delta").load(lake.table("raw")).where("business_key = 't1'").count() == 2


def test_a_newer_update_replaces_the_row(spark, lake):
    first = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0, status="pending")])
    run_merge(spark, lake.root, "transactions", [first])

    second = lake.landing([upsert("t1", "2026-03-01T11:00:00.000Z", 1, status="posted", amount="11.50")])
    result = run_merge(spark, lake.root, "transactions", [second])

    assertDataFrameEqual(curated_rows(spark, lake), expected(spark, [("t1", "posted", Decimal("11.50"), False)]))
    assert result.curated_updated == 1


def test_a_delete_removes_the_row_and_a_later_arriving_older_upsert_does_not_bring_it_back(spark, lake):
    created = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0), upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    run_merge(spark, lake.root, "transactions", [created])

    deleted = lake.landing([delete("t1", "2026-03-01T12:00:00.000Z", 2)])
    run_merge(spark, lake.root, "transactions", [deleted])
    late_upsert = lake.landing([upsert("t1", "2026-03-01T11:00:00.000Z", 3, status="reversed")], partition=1)
    run_merge(spark, lake.root, "transactions", [late_upsert])

    curated = spark.read.format("delta").load(lake.table("curated"))
    live = curated.where(~F.col("_is_deleted"))
    assertDataFrameEqual(live.select("transactionId"), [("t2",)])
    tombstone = curated.where("transactionId = 't1'").select("_is_deleted", "status", "amount", "_event_time")
    assertDataFrameEqual(tombstone, [(True, None, None, datetime(2026, 3, 1, 12))])


def test_a_delete_that_arrives_before_its_entity_leaves_a_tombstone_older_upserts_cannot_undo(spark, lake):
    key = lake.landing([delete("t9", "2026-03-01T12:00:00.000Z", 0), upsert("t9", "2026-03-01T09:00:00.000Z", 1)])

    run_merge(spark, lake.root, "transactions", [key])

    assertDataFrameEqual(curated_rows(spark, lake, columns=("transactionId", "_is_deleted")), [("t9", True)])


def test_duplicate_keys_in_one_batch_keep_the_latest_event_time_then_the_latest_offset(spark, lake):
    key = lake.landing(
        [
            upsert("t1", "2026-03-01T11:00:00.000Z", 0, status="posted"),
            upsert("t1", "2026-03-01T10:00:00.000Z", 1, status="pending"),
            upsert("t2", "2026-03-01T10:00:00.000Z", 2, status="pending"),
            upsert("t2", "2026-03-01T10:00:00.000Z", 3, status="declined"),
        ]
    )

    result = run_merge(spark, lake.root, "transactions", [key])

    assertDataFrameEqual(
        curated_rows(spark, lake, columns=("transactionId", "status", "_kafka_offset")),
        [("t1", "posted", 0), ("t2", "declined", 3)],
    )
    assert (result.raw_rows_loaded, result.curated_candidates) == (4, 2)


def last_merge_metrics(spark, path) -> dict:
    return DeltaTable.forPath(spark, path).history().where("operation = 'MERGE'").orderBy(F.desc("version")).first().operationMetrics


def test_on_key_ordered_files_a_merge_keeps_every_rule_and_rewrites_only_the_file_its_updates_are_in(spark, lake):
    # Three runs of new keys leave three files, one per range of keys (k000-k099, k100-k199, k200-k299).
    for first in (0, 100, 200):
        key = lake.landing([upsert(f"k{n:03d}", "2026-03-01T10:00:00.000Z", n, status="pending") for n in range(first, first + 100)])
        run_merge(spark, lake.root, "transactions", [key])
    curated = lake.table("curated")
    assert DeltaTable.forPath(spark, curated).detail().first().numFiles == 3

    key = lake.landing(
        [
            upsert("k150", "2026-03-01T11:00:00.000Z", 300, status="posted", channel="mobile"),
            upsert("k120", "2026-03-01T09:00:00.000Z", 301, status="reversed"),
            delete("k160", "2026-03-01T12:00:00.000Z", 302),
            upsert("k170", "2026-03-01T11:30:00.000Z", 303, status="posted"),
            upsert("k170", "2026-03-01T11:00:00.000Z", 304, status="declined"),
            upsert("k300", "2026-03-01T10:00:00.000Z", 305, status="pending"),
        ]
    )
    result = run_merge(spark, lake.root, "transactions", [key])

    changed = curated_rows(spark, lake, columns=("transactionId", "status", "_is_deleted")).where("transactionId IN ('k120', 'k150', 'k160', 'k170', 'k300')")
    assertDataFrameEqual(changed, [("k120", "pending", False), ("k150", "posted", False), ("k160", None, True), ("k170", "posted", False), ("k300", "pending", False)])
    assert spark.read.format("delta").load(curated).count() == 301
    assert (result.curated_inserted, result.curated_updated, result.curated_deleted, result.curated_unchanged) == (1, 3, 1, 1)
    # Only the file of k100-k199 is rewritten; the rows of the other two are not copied.
    metrics = last_merge_metrics(spark, curated)
    assert metrics["numTargetFilesRemoved"] == "1"
    assert metrics["numTargetRowsCopied"] == "97"
    # A new optional field became a column; the same object merged again changes nothing.
    assertDataFrameEqual(spark.read.format("delta").load(curated).where("channel IS NOT NULL").select("transactionId", "channel"), [("k150", "mobile")])
    version = versions(spark, curated)
    again = run_merge(spark, lake.root, "transactions", [key])
    assert (again.curated_inserted, again.curated_updated) == (0, 0)
    assert versions(spark, curated) == version


def test_business_keys_with_quotes_backslashes_and_other_scripts_merge_by_their_exact_value(spark, lake):
    # Written to landing past validation (which allows none of these): the key range the
    # MERGE takes as SQL literals must neither break nor widen nor narrow what matches.
    keys = ["O'Brien-1", "back\\slash", "tab\there", "ключ-7", "' OR '1'='1", "a\\'b"]
    first = lake.landing([upsert(key, "2026-03-01T10:00:00.000Z", n, status="pending") for n, key in enumerate(keys)])
    run_merge(spark, lake.root, "transactions", [first])

    second = lake.landing([upsert(key, "2026-03-01T11:00:00.000Z", 10 + n, status="posted") for n, key in enumerate(keys)], partition=1)
    result = run_merge(spark, lake.root, "transactions", [second])

    assertDataFrameEqual(curated_rows(spark, lake, columns=("transactionId", "status")), [(key, "posted") for key in keys])
    assert (result.curated_inserted, result.curated_updated) == (0, len(keys))


def test_a_new_optional_field_becomes_a_column_without_a_manual_change(spark, lake):
    first = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0)])
    run_merge(spark, lake.root, "transactions", [first])

    second = lake.landing([upsert("t2", "2026-03-01T10:00:00.000Z", 1, channel="mobile")])
    run_merge(spark, lake.root, "transactions", [second])
    third = lake.landing([upsert("t1", "2026-03-01T11:00:00.000Z", 2)])
    run_merge(spark, lake.root, "transactions", [third])

    curated = spark.read.format("delta").load(lake.table("curated"))
    assert curated.schema["channel"].dataType == T.StringType()
    assertDataFrameEqual(curated.select("transactionId", "channel"), [("t1", None), ("t2", "mobile")])


def test_two_overlapping_merges_on_one_table_give_the_serial_result(spark, lake, tmp_path_factory):
    batches = [
        [upsert("t1", "2026-03-01T10:00:00.000Z", 0, status="pending"), upsert("t2", "2026-03-01T10:00:00.000Z", 1)],
        [upsert("t1", "2026-03-01T12:00:00.000Z", 2, status="posted"), delete("t2", "2026-03-01T12:00:00.000Z", 3)],
        [upsert("t1", "2026-03-01T11:00:00.000Z", 4, status="reversed"), upsert("t3", "2026-03-01T10:00:00.000Z", 5)],
        [upsert("t4", "2026-03-01T10:00:00.000Z", 6, channel="web"), upsert("t3", "2026-03-01T09:00:00.000Z", 7, status="declined")],
    ]
    keys = [lake.landing(batch) for batch in batches]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def merge(own_keys):
        try:
            start.wait()
            for key in own_keys:
                run_merge(spark, lake.root, "transactions", [key])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=merge, args=(keys[0::2],)), threading.Thread(target=merge, args=(keys[1::2],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    serial = type(lake)(tmp_path_factory.mktemp("serial"))
    for batch in batches:
        run_merge(spark, serial.root, "transactions", [serial.landing(batch)])

    assert [str(error)[:2000] for error in errors] == []
    columns = ("transactionId", "status", "amount", "channel", "_is_deleted", "_event_time", "_kafka_offset")
    assertDataFrameEqual(curated_rows(spark, lake, columns=columns), curated_rows(spark, serial, columns=columns))
    assert spark.read.format("delta").load(lake.table("raw")).count() == 8


def test_quarantine_objects_become_a_queryable_table_with_reasons(spark, lake):
    bad = landing_line("transactions", "x", "2026-03-01T10:00:00.000Z", 4)
    reasons = [{"path": "amount", "message": "must be a decimal string"}, {"path": "", "message": "bad"}]
    quarantined = quarantine_line(bad, reasons, {"transactionId": "x", "amount": 12.5})
    quarantine_key = lake.quarantine([quarantined])
    landing_key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 3)])

    result = run_merge(spark, lake.root, "transactions", [landing_key])
    again = run_merge(spark, lake.root, "transactions", [landing_key])

    table = spark.read.format("delta").load(lake.table("quarantine"))
    assertDataFrameEqual(
        table.select("quarantine_key", "kafka_offset", "reason_text", F.get_json_object("payload", "$.amount").alias("amount")),
        [(quarantine_key, 4, "amount: must be a decimal string; bad", "12.5")],
    )
    assert table.selectExpr("reasons[0].path as path").first().path == "amount"
    assert (result.quarantine_rows_loaded, again.quarantine_rows_loaded) == (1, 0)


def test_all_pending_merges_every_landing_object_not_loaded_yet(spark, lake):
    first = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0)])
    run_merge(spark, lake.root, "transactions", [first])
    lake.landing([upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    lake.landing([upsert("t3", "2026-03-01T10:00:00.000Z", 2)], partition=2)

    result = run_merge(spark, lake.root, "transactions", None)

    assert result.landing_objects_loaded == 2
    assertDataFrameEqual(curated_rows(spark, lake, columns=("transactionId",)), [("t1",), ("t2",), ("t3",)])


def test_an_unknown_source_is_refused(spark, lake):
    with pytest.raises(ValueError, match="no data contract"):
        run_merge(spark, lake.root, "unknown", None)


def test_kinesis_lines_carry_their_sequence_number_and_the_higher_one_wins_a_tie(spark, lake):
    same_time = "2026-03-01T10:00:00.000Z"
    older = kinesis_line("transactions", "k1", same_time, 0, "9" * 55, transaction("k1", same_time, status="pending"), "evt-a")
    newer = kinesis_line("transactions", "k1", same_time, 0, "1" + "0" * 55, transaction("k1", same_time, status="posted"), "evt-b")
    first = lake.landing([newer])
    run_merge(spark, lake.root, "transactions", [first])

    late = lake.landing([older])
    result = run_merge(spark, lake.root, "transactions", [late])

    raw = spark.read.format("delta").load(lake.table("raw"))
    assertDataFrameEqual(raw.select("event_id", "kafka_offset", "sequence_number"), [("evt-a", None, "9" * 55), ("evt-b", None, "1" + "0" * 55)])
    assertDataFrameEqual(curated_rows(spark, lake, columns=("transactionId", "status", "_sequence_number")), [("k1", "posted", "1" + "0" * 55)])
    assert result.curated_unchanged == 1


def test_tables_made_before_a_lineage_column_existed_get_it_and_keep_loading(spark, lake):
    old_quarantine = "quarantine_key string, source string, kafka_topic string, kafka_partition int, kafka_offset bigint, kafka_timestamp timestamp"
    spark.createDataFrame([], old_quarantine).write.format("delta").save(lake.table("quarantine"))
    bad = landing_line("transactions", "x", "2026-03-01T10:00:00.000Z", 4)
    lake.quarantine([quarantine_line(bad, [{"path": "amount", "message": "bad"}], {"amount": 1})])

    result = run_merge(spark, lake.root, "transactions", [lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 3)])])

    assert result.quarantine_rows_loaded == 1
    assert "sequence_number" in spark.read.format("delta").load(lake.table("quarantine")).columns
