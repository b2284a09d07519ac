"""The gold layer: tables for analysts, built from the curated tables and the reference
database (PostgreSQL, over JDBC), under ``tables/gold/`` (names and paths from the lake
contract).

- ``gold.transactions_daily``: per day (of ``occurredAt``, UTC), merchant category and
  currency, the transactions that moved money (status ``posted`` or ``pending``): count,
  amount, and the amount in the reporting currency at that day's rate. A group without a
  rate keeps its count and amount, with ``rate_missing = true`` and no converted amount;
  no row is dropped.
- ``gold.claims_by_product``: per insurance product (of the claim's policy) and currency:
  policies and written premium (policies past ``quoted``), claims, claimed and paid
  amounts, loss ratio (paid / written premium). Claims whose policy is unknown are
  counted under a null product.
- ``gold.policies_history``: every version of every policy (history.py).

Money stays DECIMAL throughout. Each table is rebuilt whole and written only when its
content changed, so a re-run over the same input commits nothing.

    python -m ledgerflow_spark.gold --bucket lake [--table transactions_daily] [--reporting-currency EUR] [--summary]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Mapping, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .commits import with_conflict_retry
from .contracts import contract_for, lake
from .formats import LANDING_LINE
from .history import history_of
from .layout import bucket_root, table_path
from .reference import ReferenceDb, read_reference, reference_db
from .storage import table_exists
from .transforms import aligned_to, curated_schema, landing_to_raw

log = logging.getLogger("ledgerflow.gold")

GOLD_TABLES = tuple(lake().gold)
DEFAULT_REPORTING_CURRENCY = "EUR"
# Transactions whose money moved (or is about to): declined and reversed ones did not.
MONEY_MOVED = ("posted", "pending")
# Policies that were written: a quote is not.
WRITTEN = ("active", "lapsed", "cancelled")
# Exact products: an amount sum below 10^14 times a rate below 10^5 fits DECIMAL(38) unrounded.
_AMOUNT = T.DecimalType(20, 6)
_RATE = T.DecimalType(13, 8)


def gold_path(root: str, table: str) -> str:
    return f"{root}/{lake().gold[table].path}"


def transactions_daily(
    transactions: DataFrame, fx_rates: DataFrame, merchant_categories: DataFrame, reporting_currency: str, reporting_minor_units: int
) -> DataFrame:
    """Live curated transactions per day, merchant category and currency, converted (pure)."""
    daily = (
        transactions.where(F.col("status").isin(*MONEY_MOVED))
        .groupBy(
            F.to_date("occurredAt").alias("transaction_date"),
            F.col("merchantCategoryCode").alias("merchant_category_code"),
            F.col("currency"),
        )
        .agg(F.count(F.lit(1)).alias("transaction_count"), F.sum("amount").alias("amount"))
    )
    rates = fx_rates.where(F.col("quote_currency") == reporting_currency).select(
        F.col("rate_date"), F.col("base_currency"), F.col("rate").cast(_RATE).alias("quoted_rate")
    )
    categories = merchant_categories.select(F.col("code").alias("merchant_category_code"), F.col("description").alias("merchant_category"))
    joined = daily.join(
        rates, (daily.transaction_date == rates.rate_date) & (daily.currency == rates.base_currency), "left"
    ).join(categories, "merchant_category_code", "left")
    rate = F.when(F.col("currency") == reporting_currency, F.lit(1).cast(_RATE)).otherwise(F.col("quoted_rate"))
    converted = F.round(F.col("amount").cast(_AMOUNT) * rate, reporting_minor_units).cast(T.DecimalType(38, reporting_minor_units))
    return joined.select(
        "transaction_date",
        "merchant_category_code",
        "merchant_category",
        "currency",
        F.col("transaction_count").cast(T.LongType()).alias("transaction_count"),
        F.col("amount").cast(T.DecimalType(38, 6)).alias("amount"),
        F.lit(reporting_currency).alias("reporting_currency"),
        rate.alias("fx_rate"),
        converted.alias("amount_reporting"),
        rate.isNull().alias("rate_missing"),
    )


def claims_by_product(claims: DataFrame, policies: DataFrame, products: DataFrame, lines_of_business: DataFrame) -> DataFrame:
    """Claims with their policies' products, and the products' written premium, per currency (pure)."""
    product_of_policy = policies.select(F.col("policyId").alias("_policy"), F.col("product"))
    claimed = (
        claims.join(product_of_policy, claims.policyId == product_of_policy._policy, "left")
        .groupBy("product", "currency")
        .agg(
            F.count(F.lit(1)).alias("claim_count"),
            F.sum("claimedAmount").alias("claimed_amount"),
            F.coalesce(F.sum("paidAmount"), F.lit(0).cast(T.DecimalType(38, 6))).alias("paid_amount"),
        )
    )
    written = (
        policies.where(F.col("status").isin(*WRITTEN))
        .groupBy("product", "currency")
        .agg(F.count(F.lit(1)).alias("policy_count"), F.sum("premium").alias("premium_written"))
    )
    both = claimed.alias("c").join(
        written.alias("w"), F.col("c.product").eqNullSafe(F.col("w.product")) & (F.col("c.currency") == F.col("w.currency")), "full"
    )
    zero = F.lit(0).cast(T.DecimalType(38, 6))
    per_product = both.select(
        F.coalesce("c.product", "w.product").alias("product"),
        F.coalesce("c.currency", "w.currency").alias("currency"),
        F.coalesce("w.policy_count", F.lit(0)).cast(T.LongType()).alias("policy_count"),
        F.coalesce("w.premium_written", zero).cast(T.DecimalType(38, 6)).alias("premium_written"),
        F.coalesce("c.claim_count", F.lit(0)).cast(T.LongType()).alias("claim_count"),
        F.coalesce("c.claimed_amount", zero).cast(T.DecimalType(38, 6)).alias("claimed_amount"),
        F.coalesce("c.paid_amount", zero).cast(T.DecimalType(38, 6)).alias("paid_amount"),
    )
    described = products.select(F.col("code").alias("product"), F.col("name").alias("product_name"), "line_of_business").join(
        lines_of_business.select(F.col("code").alias("line_of_business"), "segment"), "line_of_business", "left"
    )
    loss_ratio = F.when(F.col("premium_written") > 0, F.round(F.col("paid_amount") / F.col("premium_written"), 6))
    return per_product.join(described, "product", "left").select(
        "product",
        "product_name",
        "line_of_business",
        "segment",
        "currency",
        "policy_count",
        "premium_written",
        "claim_count",
        "claimed_amount",
        "paid_amount",
        loss_ratio.cast(T.DecimalType(38, 6)).alias("loss_ratio"),
    )


# ------------------------------------------------------------------ reading and writing


def live_curated(spark: SparkSession, root: str, source: str) -> DataFrame:
    """The live rows of a curated table; an empty one with the contract's columns before the first merge."""
    path = table_path(root, "curated", source)
    if not table_exists(spark, path):
        return spark.createDataFrame([], curated_schema(contract_for(source)))
    return spark.read.format("delta").load(path).where(~F.col("_is_deleted"))


def raw_rows(spark: SparkSession, root: str, source: str) -> DataFrame:
    """The rows of a raw table, with every column of the current landing line (null in rows
    loaded before the column existed); an empty table of those columns before the first merge."""
    lines = spark.createDataFrame([], T.StructType(LANDING_LINE.fields + [T.StructField("_object_key", T.StringType())]))
    empty = landing_to_raw(lines, "none")
    path = table_path(root, "raw", source)
    return aligned_to(spark.read.format("delta").load(path), empty.schema) if table_exists(spark, path) else empty


def write_if_changed(spark: SparkSession, table: DataFrame, path: str) -> bool:
    """Overwrites the Delta table at ``path`` unless it already holds exactly these rows; True when it wrote."""
    table = table.cache()
    try:
        if table_exists(spark, path):
            current = spark.read.format("delta").load(path)
            same_columns = [(f.name, f.dataType) for f in current.schema.fields] == [(f.name, f.dataType) for f in table.schema.fields]
            if same_columns and current.exceptAll(table).isEmpty() and table.exceptAll(current).isEmpty():
                return False

        def overwrite() -> None:
            table.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(path)

        with_conflict_retry(overwrite, f"gold {path}")
        return True
    finally:
        table.unpersist()


def build_table(spark: SparkSession, root: str, db: ReferenceDb, name: str, reporting_currency: str) -> DataFrame:
    """The content of one gold table, from the lake and the reference database."""
    if name == "transactions_daily":
        currencies = read_reference(spark, db, "currencies").where(F.col("code") == reporting_currency).collect()
        if not currencies:
            raise ValueError(f"reporting currency {reporting_currency} is not in ref.currencies")
        return transactions_daily(
            live_curated(spark, root, "transactions"),
            read_reference(spark, db, "fx_rates"),
            read_reference(spark, db, "merchant_categories"),
            reporting_currency,
            int(currencies[0]["minor_units"]),
        )
    if name == "claims_by_product":
        return claims_by_product(
            live_curated(spark, root, "claims"),
            live_curated(spark, root, "policies"),
            read_reference(spark, db, "insurance_products"),
            read_reference(spark, db, "lines_of_business"),
        )
    if name == "policies_history":
        contract = contract_for("policies")
        return history_of(raw_rows(spark, root, "policies"), contract)
    raise ValueError(f"unknown gold table {name}: one of {', '.join(GOLD_TABLES)}")


def build_gold(
    spark: SparkSession,
    bucket: str,
    env: Mapping[str, str] = os.environ,
    tables: Sequence[str] = GOLD_TABLES,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> dict:
    """Builds the gold tables; returns, per table, its rows, whether it was written, and the time it took."""
    root = bucket_root(bucket)
    db = reference_db(env)
    outcome: dict = {}
    for name in tables:
        started = time.perf_counter()
        table = build_table(spark, root, db, name, reporting_currency)
        written = write_if_changed(spark, table, gold_path(root, name))
        rows = spark.read.format("delta").load(gold_path(root, name)).count()
        outcome[name] = {"rows": rows, "written": written, "ms": round((time.perf_counter() - started) * 1000)}
        log.info("gold.%s: %d rows, %s", name, rows, "written" if written else "unchanged")
    return outcome


def summary(spark: SparkSession, bucket: str) -> dict:
    """A few figures of the gold tables, for the demo; a table not built yet is left out."""
    root = bucket_root(bucket)
    read = {name: spark.read.format("delta").load(gold_path(root, name)) for name in GOLD_TABLES if table_exists(spark, gold_path(root, name))}
    figures: dict = {}
    if "transactions_daily" in read:
        daily = read["transactions_daily"]
        totals = daily.agg(
            F.countDistinct("transaction_date").alias("days"),
            F.sum("transaction_count").alias("transactions"),
            F.sum("amount_reporting").alias("volume"),
            F.first("reporting_currency").alias("currency"),
            F.sum(F.when(F.col("rate_missing"), F.col("transaction_count")).otherwise(0)).alias("without_rate"),
        ).first()
        figures["transactionsDaily"] = {
            "days": totals["days"],
            "transactions": totals["transactions"] or 0,
            "volume": str(totals["volume"] or 0),
            "reportingCurrency": totals["currency"],
            "transactionsWithoutRate": totals["without_rate"] or 0,
        }
    if "claims_by_product" in read:
        per_product = read["claims_by_product"].groupBy("product").agg(F.sum("claim_count").alias("claims"), F.sum("policy_count").alias("policies"))
        figures["claimsByProduct"] = [
            {"product": row["product"], "claims": row["claims"], "policies": row["policies"]} for row in per_product.orderBy(F.col("product").asc_nulls_last()).collect()
        ]
    if "policies_history" in read:
        history = read["policies_history"].agg(
            F.count(F.lit(1)).alias("versions"), F.countDistinct("policyId").alias("policies"), F.sum(F.col("is_current").cast("int")).alias("current")
        ).first()
        figures["policiesHistory"] = {"versions": history["versions"], "policies": history["policies"], "current": history["current"] or 0}
    return figures


def parse_args(argv: Sequence[str], env: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ledgerflow_spark.gold", description="Build the gold tables")
    parser.add_argument("--bucket", default=env.get("LAKE_BUCKET", "lake"), help="bucket name or storage root URI")
    parser.add_argument("--table", action="append", choices=GOLD_TABLES, help="only this table (repeatable; default: all)")
    parser.add_argument("--reporting-currency", default=DEFAULT_REPORTING_CURRENCY)
    parser.add_argument("--summary", action="store_true", help="after building, print a few figures of the gold tables as JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from .session import spark_session, with_local_stack_defaults

    env = with_local_stack_defaults(os.environ)
    args = parse_args(sys.argv[1:] if argv is None else argv, env)
    with spark_session(env=env) as spark:
        built = build_gold(spark, args.bucket, env, args.table or GOLD_TABLES, args.reporting_currency)
        print(json.dumps(summary(spark, args.bucket) if args.summary else built))
    return 0


if __name__ == "__main__":
    sys.exit(main())
