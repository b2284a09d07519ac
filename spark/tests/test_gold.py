"""The gold jobs on a local lake folder and the stack's real PostgreSQL (npm run stack:up):
figures checked against values computed here in plain Python from the test's input rows
and the shipped reference rows (layers/reference-data/seed)."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from delta.tables import DeltaTable
from pyspark.sql import types as T

from ledgerflow_spark.gold import GOLD_TABLES, build_gold, gold_path
from ledgerflow_spark.merge import run_merge
from ledgerflow_spark.session import REPO_ROOT, with_local_stack_defaults

from .landing import landing_line
from .table_rows import rows_seen_by_delta_rs, rows_seen_by_spark

SEED = REPO_ROOT / "layers" / "reference-data" / "seed"
CENT = Decimal("0.01")  # EUR, the reporting currency, has 2 minor units


def seed_rows(name: str) -> list[dict]:
    with (SEED / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def env():
    return with_local_stack_defaults(os.environ)


def t(tid, amount, currency, occurred, mcc, status="posted", updated=None):
    return {
        "transactionId": tid, "accountId": "ACC-1", "type": "debit", "status": status, "amount": amount, "currency": currency,
        "merchantName": "m", "merchantCategoryCode": mcc, "occurredAt": occurred, "updatedAt": updated or occurred,
        "cardMasked": None, "cardToken": None,
    }  # fmt: skip


def lines(source: str, key_field: str, records: list[dict], first_offset: int = 0) -> list[dict]:
    """Landing lines of the records; a record with ``"_op": "delete"`` is a delete."""
    return [
        landing_line(source, r[key_field], r["updatedAt"], first_offset + n, {k: v for k, v in r.items() if k != "_op"}, op=r.get("_op", "upsert"))
        for n, r in enumerate(records)
    ]


def latest_live(records: list[dict], key_field: str) -> list[dict]:
    """Plain Python: the newest version of each key by event time (offsets break ties), deletes removed."""
    latest: dict[str, tuple] = {}
    for offset, record in enumerate(records):
        moment = (datetime.fromisoformat(record["updatedAt"].replace("Z", "+00:00")), offset)
        if record[key_field] not in latest or moment > latest[record[key_field]][0]:
            latest[record[key_field]] = (moment, record)
    return [record for _, record in latest.values() if record.get("_op") != "delete"]


TRANSACTIONS = [
    t("t1", "125.40", "EUR", "2026-01-15T10:00:00Z", "5812"),
    t("t2", "4.60", "EUR", "2026-01-15T23:30:00Z", "5812"),
    t("t3", "99.99", "USD", "2026-01-15T08:00:00Z", "5812"),
    t("t4", "10.01", "USD", "2026-01-15T09:00:00Z", "5812", status="pending"),
    t("t5", "250.00", "SEK", "2026-02-14T12:00:00Z", "5411"),  # the seed has no SEK rate on 2026-02-14
    t("t6", "300.00", "NOK", "2026-02-14T12:00:00Z", "5411"),  # nor any NOK rate
    t("t7", "1500", "JPY", "2026-01-20T07:00:00Z", "4511"),  # nor a JPY rate on 2026-01-20
    t("t8", "45.50", "GBP", "2026-02-01T18:00:00Z", "7011", status="declined"),
    t("t9", "20.25", "GBP", "2026-02-01T18:00:00Z", "7011"),
    t("t10", "12.00", "CHF", "2026-03-01T11:00:00Z", None),
    t("t11", "30.00", "EUR", "2026-02-03T10:00:00Z", "5541"),
    t("t11", "30.00", "EUR", "2026-02-03T10:00:00Z", "5541", status="reversed", updated="2026-02-04T10:00:00Z"),
    t("t12", "77.70", "USD", "2026-02-03T10:00:00Z", "5541"),
    {"transactionId": "t12", "updatedAt": "2026-02-05T00:00:00Z", "_op": "delete"},
]


def expected_transactions_daily() -> set[tuple]:
    rates = {(r["rate_date"], r["base_currency"]): Decimal(r["rate"]) for r in seed_rows("fx-rates.csv") if r["quote_currency"] == "EUR"}
    categories = {r["code"]: r["description"] for r in seed_rows("merchant-categories.csv")}
    groups: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for record in latest_live(TRANSACTIONS, "transactionId"):
        if record["status"] in ("posted", "pending"):
            group = groups[(record["occurredAt"][:10], record["merchantCategoryCode"], record["currency"])]
            group[0] += 1
            group[1] += Decimal(record["amount"])
    rows = set()
    for (day, mcc, currency), (count, amount) in groups.items():
        rate = Decimal(1) if currency == "EUR" else rates.get((day, currency))
        converted = None if rate is None else (amount * rate).quantize(CENT, ROUND_HALF_UP)
        rows.add((date.fromisoformat(day), mcc, categories.get(mcc), currency, count, amount, "EUR", rate, converted, rate is None))
    return rows


def as_tuples(frame) -> set[tuple]:
    return {tuple(row) for row in frame.collect()}


def test_transactions_daily_converts_each_day_at_its_rate_and_flags_rather_than_drops_rows_without_one(spark, lake, env):
    run_merge(spark, lake.root, "transactions", [lake.landing(lines("transactions", "transactionId", TRANSACTIONS))])

    build_gold(spark, lake.root, env, ["transactions_daily"])

    table = spark.read.format("delta").load(gold_path(lake.root, "transactions_daily"))
    assert as_tuples(table) == expected_transactions_daily()
    missing = {(row.currency, str(row.transaction_date)) for row in table.where("rate_missing").collect()}
    assert missing == {("SEK", "2026-02-14"), ("NOK", "2026-02-14"), ("JPY", "2026-01-20")}
    assert table.where("rate_missing AND amount_reporting IS NOT NULL").count() == 0
    assert table.schema["amount"].dataType == T.DecimalType(38, 6)
    assert table.schema["amount_reporting"].dataType == T.DecimalType(38, 2)


def policy(pid, product, status, premium, currency, updated, **extra):
    return {
        "policyId": pid, "policyholderId": "PH-1", "product": product, "status": status, "premium": premium, "sumInsured": "100000.00",
        "currency": currency, "startDate": "2026-01-01", "endDate": "2026-12-31", "updatedAt": updated, **extra,
    }  # fmt: skip


def claim(cid, pid, status, claimed, paid, currency, updated="2026-03-01T00:00:00Z"):
    return {
        "claimId": cid, "policyId": pid, "lossType": "collision", "status": status, "lossDate": "2026-02-01",
        "reportedAt": "2026-02-02T00:00:00Z", "claimedAmount": claimed, "paidAmount": paid, "currency": currency, "updatedAt": updated,
    }  # fmt: skip


POLICIES = [
    policy("P1", "motor", "active", "1200.00", "EUR", "2026-01-02T00:00:00Z"),
    policy("P2", "motor", "lapsed", "800.00", "EUR", "2026-01-03T00:00:00Z"),
    policy("P3", "home", "active", "950.50", "GBP", "2026-01-04T00:00:00Z"),
    policy("P4", "travel", "quoted", "50.00", "EUR", "2026-01-05T00:00:00Z"),
]
CLAIMS = [
    claim("C1", "P1", "paid", "500.00", "450.00", "EUR"),
    claim("C2", "P2", "reported", "300.00", None, "EUR"),
    claim("C3", "P3", "paid", "2000.00", "1500.00", "GBP"),
    claim("C4", "P9", "reported", "100.00", None, "EUR"),  # a policy the lake does not know
    claim("C5", "P4", "reported", "20.00", None, "EUR"),
]


def expected_claims_by_product() -> set[tuple]:
    products = {r["code"]: r for r in seed_rows("insurance-products.csv")}
    segments = {r["code"]: r["segment"] for r in seed_rows("lines-of-business.csv")}
    product_of = {p["policyId"]: p["product"] for p in POLICIES}
    figures: dict[tuple, dict] = defaultdict(lambda: {"policies": 0, "premium": Decimal(0), "claims": 0, "claimed": Decimal(0), "paid": Decimal(0)})
    for p in POLICIES:
        if p["status"] != "quoted":
            figures[(p["product"], p["currency"])]["policies"] += 1
            figures[(p["product"], p["currency"])]["premium"] += Decimal(p["premium"])
    for c in CLAIMS:
        group = figures[(product_of.get(c["policyId"]), c["currency"])]
        group["claims"] += 1
        group["claimed"] += Decimal(c["claimedAmount"])
        group["paid"] += Decimal(c["paidAmount"] or 0)
    rows = set()
    for (product, currency), f in figures.items():
        described = products.get(product, {})
        line = described.get("line_of_business")
        ratio = (f["paid"] / f["premium"]).quantize(Decimal("0.000001"), ROUND_HALF_UP) if f["premium"] > 0 else None
        rows.add((product, described.get("name"), line, segments.get(line), currency, f["policies"], f["premium"], f["claims"], f["claimed"], f["paid"], ratio))
    return rows


def test_claims_by_product_joins_claims_with_their_policies_and_products(spark, lake, env):
    run_merge(spark, lake.root, "policies", [lake.landing(lines("policies", "policyId", POLICIES), source="policies")])
    run_merge(spark, lake.root, "claims", [lake.landing(lines("claims", "claimId", CLAIMS), source="claims")])

    build_gold(spark, lake.root, env, ["claims_by_product"])

    table = spark.read.format("delta").load(gold_path(lake.root, "claims_by_product"))
    assert as_tuples(table) == expected_claims_by_product()
    motor = table.where("product = 'motor'").first()
    assert (motor.loss_ratio, motor.segment) == (Decimal("0.225000"), "non-life")
    assert table.where("product IS NULL").first().claim_count == 1


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", ""))


def test_policies_history_keeps_every_version_in_event_time_order_under_late_versions_and_deletes(spark, lake, env):
    first = [
        policy("P1", "motor", "quoted", "1000.00", "EUR", "2026-01-01T00:00:00Z"),
        policy("P1", "motor", "active", "1100.00", "EUR", "2026-01-10T00:00:00Z"),
        policy("P2", "home", "active", "700.00", "GBP", "2026-01-02T00:00:00Z"),
        {"policyId": "P2", "updatedAt": "2026-01-20T00:00:00Z", "_op": "delete"},
    ]
    run_merge(spark, lake.root, "policies", [lake.landing(lines("policies", "policyId", first), source="policies")])
    build_gold(spark, lake.root, env, ["policies_history"])
    # A late version older than the newest P1, the same event delivered twice, and P2 taken up again after its delete.
    late = policy("P1", "motor", "active", "1050.00", "EUR", "2026-01-05T00:00:00Z")
    later = [late, dict(late), policy("P2", "home", "active", "720.00", "GBP", "2026-02-01T00:00:00Z")]
    late_lines = lines("policies", "policyId", later, first_offset=10)
    late_lines[1]["eventId"] = late_lines[0]["eventId"]
    run_merge(spark, lake.root, "policies", [lake.landing(late_lines, source="policies")])

    outcome = build_gold(spark, lake.root, env, ["policies_history"])

    history = spark.read.format("delta").load(gold_path(lake.root, "policies_history"))
    got = {(r.policyId, r.status, r.premium, r.valid_from, r.valid_to, r.is_current, r.version) for r in history.collect()}
    assert got == {
        ("P1", "quoted", Decimal("1000.000000"), ts("2026-01-01T00:00:00Z"), ts("2026-01-05T00:00:00Z"), False, 1),
        ("P1", "active", Decimal("1050.000000"), ts("2026-01-05T00:00:00Z"), ts("2026-01-10T00:00:00Z"), False, 2),
        ("P1", "active", Decimal("1100.000000"), ts("2026-01-10T00:00:00Z"), None, True, 3),
        ("P2", "active", Decimal("700.000000"), ts("2026-01-02T00:00:00Z"), ts("2026-01-20T00:00:00Z"), False, 1),
        ("P2", "active", Decimal("720.000000"), ts("2026-02-01T00:00:00Z"), None, True, 2),
    }
    assert outcome["policies_history"]["written"] is True
    curated = spark.read.format("delta").load(lake.table("curated", "policies")).where("policyId = 'P1'").first()
    assert curated.premium == Decimal("1100.000000")  # the merge kept the newest version


def test_a_second_run_over_the_same_input_commits_nothing(spark, lake, env):
    run_merge(spark, lake.root, "transactions", [lake.landing(lines("transactions", "transactionId", TRANSACTIONS))])
    run_merge(spark, lake.root, "policies", [lake.landing(lines("policies", "policyId", POLICIES), source="policies")])
    first = build_gold(spark, lake.root, env)
    versions = {name: DeltaTable.forPath(spark, gold_path(lake.root, name)).history().count() for name in first}

    second = build_gold(spark, lake.root, env)

    assert all(entry["written"] for entry in first.values())
    assert not any(entry["written"] for entry in second.values())
    assert {name: DeltaTable.forPath(spark, gold_path(lake.root, name)).history().count() for name in second} == versions
    assert {name: entry["rows"] for name, entry in second.items()} == {name: entry["rows"] for name, entry in first.items()}


def test_every_gold_table_reads_the_same_in_delta_rs_and_spark(spark, lake, env):
    run_merge(spark, lake.root, "transactions", [lake.landing(lines("transactions", "transactionId", TRANSACTIONS))])
    run_merge(spark, lake.root, "policies", [lake.landing(lines("policies", "policyId", POLICIES), source="policies")])
    run_merge(spark, lake.root, "claims", [lake.landing(lines("claims", "claimId", CLAIMS), source="claims")])

    built = build_gold(spark, lake.root, env)

    assert set(built) == set(GOLD_TABLES)
    for name in GOLD_TABLES:
        path = gold_path(lake.root, name)
        spark_rows = rows_seen_by_spark(spark, path)
        assert spark_rows, name
        assert rows_seen_by_delta_rs(path) == spark_rows, name
