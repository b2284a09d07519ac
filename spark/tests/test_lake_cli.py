"""The lake CLI's query registers only the tables its SQL names."""

from __future__ import annotations

from ledgerflow_spark.lake import named_tables


def test_names_each_layer_table_a_query_mentions_once_with_all_folded_into_its_table():
    sql = "SELECT * FROM curated.claims_all c JOIN Raw . claims r ON c._event_id = r.event_id UNION ALL SELECT * FROM `gold`.transactions_daily, ref.currencies"
    assert {"curated.claims", "raw.claims", "ref.currencies"} <= named_tables(sql)
    assert "curated.claims_all" not in named_tables(sql)


def test_a_query_without_a_qualified_name_names_no_table():
    assert named_tables("SELECT 1 AS one") == set()
