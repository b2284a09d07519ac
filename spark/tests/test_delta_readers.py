"""Every table the merge writes opens in delta-rs (``deltalake``, the reader Polars and most
Python tools use) with the same rows Spark sees."""

from __future__ import annotations

from ledgerflow_spark.layout import ledger_path
from ledgerflow_spark.merge import run_merge

from .landing import delete, kinesis_line, landing_line, quarantine_line, transaction, upsert
from .table_rows import rows_seen_by_delta_rs, rows_seen_by_spark


def test_raw_curated_quarantine_and_ledger_tables_read_the_same_in_delta_rs_and_spark(spark, lake):
    first = lake.landing([upsert("t1", "2026-03-01T10:00:00.000Z", 0, amount="12.30"), upsert("t2", "2026-03-01T10:00:00.000Z", 1)])
    record = transaction("t3", "2026-03-01T10:00:00.000Z", channel="mobile")
    kinesis = lake.landing([kinesis_line("transactions", "t3", "2026-03-01T10:00:00.000Z", 1, "49590338271490256608559692538361571095921575989136588898", record, "evt-k")], partition=1)
    second = lake.landing([upsert("t1", "2026-03-01T11:00:00.000Z", 2, status="reversed"), delete("t2", "2026-03-01T12:00:00.000Z", 3)])
    lake.quarantine([quarantine_line(landing_line("transactions", "x", "2026-03-01T10:00:00.000Z", 4), [{"path": "amount", "message": "bad"}], {"amount": 1})])
    for key in (first, kinesis, second):
        run_merge(spark, lake.root, "transactions", [key])

    tables = [lake.table("raw"), lake.table("curated"), lake.table("quarantine"), ledger_path(lake.root, "transactions")]
    for path in tables:
        assert rows_seen_by_delta_rs(path) == rows_seen_by_spark(spark, path), path
