"""Progress that survives a crash: the ledger, Delta's transaction identifiers, the sweep."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from delta.tables import DeltaTable
from pyspark.testing import assertDataFrameEqual

from ledgerflow_spark import ledger, merge, storage
from ledgerflow_spark.layout import bucket_root, ledger_path, table_path
from ledgerflow_spark.sweep import sweep

from .landing import landing_line, quarantine_line, upsert


class InjectedCrashError(RuntimeError):
    """Raised in place of a step of the merge, to stop it where a crash would."""


def crash(*_args, **_kwargs):
    raise InjectedCrashError("the merge stopped here")


def raw_count(spark, lake) -> int:
    return spark.read.format("delta").load(lake.table("raw")).count()


def curated_keys(spark, lake):
    return spark.read.format("delta").load(lake.table("curated")).select("transactionId")


def test_a_crash_between_the_raw_and_the_curated_step_is_completed_by_the_sweep_exactly_once(spark, lake, monkeypatch):
    first = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0), upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    second = lake.landing([upsert("t3", "2026-03-01T10:00:00.000Z", 2)], partition=1)
    monkeypatch.setattr(merge, "merge_curated", crash)
    with pytest.raises(InjectedCrashError):
        merge.run_merge(spark, lake.root, "transactions", [first])
    monkeypatch.undo()
    assert raw_count(spark, lake) == 2

    results = sweep(spark, lake.root, ["transactions"])
    again = sweep(spark, lake.root, ["transactions"])

    assertDataFrameEqual(curated_keys(spark, lake), [("t1",), ("t2",), ("t3",)])
    assert raw_count(spark, lake) == 3
    assert (results[0].landing_objects, results[0].curated_inserted) == (2, 3)
    assert again[0].landing_objects == 0
    assert {key: state.done for key, state in ledger.states(spark, ledger_path(lake.root, "transactions")).items()} == {first: True, second: True}


def test_a_crash_after_the_curated_commit_leaves_the_object_not_done_and_the_sweep_changes_nothing(spark, lake, monkeypatch):
    key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0)])
    monkeypatch.setattr(ledger, "mark_done", crash)
    with pytest.raises(InjectedCrashError):
        merge.run_merge(spark, lake.root, "transactions", [key])
    monkeypatch.undo()
    curated_before = sorted(spark.read.format("delta").load(lake.table("curated")).collect())

    (result,) = sweep(spark, lake.root, ["transactions"])

    assert (result.landing_objects, result.curated_unchanged) == (1, 1)
    assert raw_count(spark, lake) == 1
    # Delta 3.2 still commits a MERGE that matched a key but changed no row (it rewrites that
    # file unchanged): the sweep's recovery costs one commit, never a different row.
    assert sorted(spark.read.format("delta").load(lake.table("curated")).collect()) == curated_before
    assert ledger.states(spark, ledger_path(lake.root, "transactions"))[key].done


def test_a_claim_completed_twice_appends_its_raw_rows_once(spark, lake):
    key = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0), upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    lines = merge.read_lines(spark, lake.root, [key], merge.LANDING_LINE, "landing/")
    raw = merge.landing_to_raw(lines, "claim-1")
    # The spelling run_merge uses (file:/...), so Delta sees one location.
    raw_path = table_path(bucket_root(lake.root), "raw", "transactions")
    merge.ensure_table(spark, raw_path, raw.schema, merge.RAW_TABLE_PROPERTIES)

    for _ in range(2):
        merge.append_once(raw, raw_path, ledger.raw_transaction_id("claim-1"))

    assert raw_count(spark, lake) == 2


def test_many_small_merges_keep_the_curated_file_count_bounded_by_auto_compaction(spark, lake):
    # Auto compaction starts at 50 small files by default; 5 keeps the test short.
    spark.conf.set("spark.databricks.delta.autoCompact.minNumFiles", "5")
    try:
        for n in range(12):
            merge.run_merge(spark, lake.root, "transactions", [lake.landing([upsert(f"t{n}", "2026-03-01T10:00:00.000Z", n)], partition=n)])
    finally:
        spark.conf.unset("spark.databricks.delta.autoCompact.minNumFiles")

    files = DeltaTable.forPath(spark, lake.table("curated")).detail().first().numFiles
    assert files < 8
    assert spark.read.format("delta").load(lake.table("curated")).count() == 12


def test_a_merge_after_one_that_died_creating_the_tables_creates_them_and_loads_every_record_once(spark, lake, monkeypatch):
    # The dead run left each table's `_delta_log` folder without a first version; the next
    # batch has keys that are SQL in themselves and a quarantined record with odd field names.
    monkeypatch.setattr(storage, "CREATOR_WAIT_ATTEMPTS", 1)
    tables = [lake.table(layer) for layer in ("raw", "curated", "quarantine")] + [ledger_path(lake.root, "transactions")]
    for table in tables:
        (Path(urlparse(table).path) / "_delta_log").mkdir(parents=True)
    keys = ["O'Brien-1", "' OR '1'='1", "back\\slash"]
    landing_key = lake.landing([upsert(key, "2026-03-01T10:00:00.000Z", n) for n, key in enumerate(keys)])
    bad = landing_line("transactions", "x", "2026-03-01T10:00:00.000Z", 9)
    payload = {"": 1, "a.b": {"$where": [[["deep"]]]}, "amount": 1e308, "名前": "x" * 10_000}
    lake.quarantine([quarantine_line(bad, [{"path": "amount", "message": "must be a decimal string"}], payload)])

    first = merge.run_merge(spark, lake.root, "transactions", [landing_key])
    again = merge.run_merge(spark, lake.root, "transactions", [landing_key])

    assertDataFrameEqual(curated_keys(spark, lake), [(key,) for key in keys])
    assert raw_count(spark, lake) == len(keys)
    assert spark.read.format("delta").load(lake.table("quarantine")).count() == 1
    assert (first.curated_inserted, first.quarantine_rows_loaded) == (len(keys), 1)
    assert (again.curated_inserted, again.landing_objects) == (0, 1)
    assert {key: state.done for key, state in ledger.states(spark, ledger_path(lake.root, "transactions")).items()} == {landing_key: True}
