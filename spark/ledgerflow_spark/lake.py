"""Spark SQL over the lake: ``raw.<source>``, ``curated.<source>``, ``quarantine.<source>``,
``gold.<table>``, and the reference database's tables as ``ref.<table>``.

    python -m ledgerflow_spark.lake query "SELECT status, count(*) FROM curated.transactions GROUP BY status"
    python -m ledgerflow_spark.lake history curated.transactions
    python -m ledgerflow_spark.lake gold            # build the gold tables (gold.py)

``curated.<source>`` shows live rows only; ``curated.<source>_all`` also shows the
tombstones that deletes leave. The bucket is --bucket, else LAKE_BUCKET; S3 settings come
from the environment, else from the local stack's local-stack/env.json.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from .contracts import LAYERS, contracts, lake
from .layout import TABLES_PREFIX, bucket_root, table_path
from .reference import ReferenceDbConfigurationError, reference_db, register_reference_tables


def named_tables(sql: str) -> set[str]:
    """The ``<layer>.<name>`` a query names (``curated.claims_all`` as ``curated.claims``),
    lower-cased; a word that only looks like one costs no more than a lookup."""
    return {f"{layer}.{name.removesuffix('_all')}" for layer, name in re.findall(r"\b(\w+)\s*\.\s*`?(\w+)", sql.lower())}


def register_tables(spark: SparkSession, root: str, only: set[str] | None = None) -> list[str]:
    """Views ``<layer>.<source>`` over the Delta tables that exist (of ``only``'s names, when
    given: each table costs a look at its log); returns their names."""
    names = []
    for layer in LAYERS:
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {layer}")
        for source in contracts():
            if only is not None and f"{layer}.{source}" not in only:
                continue
            path = table_path(root, layer, source)
            if not DeltaTable.isDeltaTable(spark, path):
                continue
            if layer == "curated":
                spark.sql(f"CREATE OR REPLACE VIEW curated.{source}_all AS SELECT * FROM delta.`{path}`")
                columns = ", ".join(f"`{name}`" for name in spark.read.format("delta").load(path).columns if name != "_is_deleted")
                spark.sql(f"CREATE OR REPLACE VIEW curated.{source} AS SELECT {columns} FROM delta.`{path}` WHERE NOT _is_deleted")
                names += [f"curated.{source}", f"curated.{source}_all"]
            else:
                spark.sql(f"CREATE OR REPLACE VIEW {layer}.{source} AS SELECT * FROM delta.`{path}`")
                names.append(f"{layer}.{source}")
    spark.sql("CREATE DATABASE IF NOT EXISTS gold")
    for table in lake().gold.values():
        path = f"{root}/{table.path}"
        if only is not None and table.name not in only:
            continue
        if DeltaTable.isDeltaTable(spark, path):
            spark.sql(f"CREATE OR REPLACE VIEW {table.name} AS SELECT * FROM delta.`{path}`")
            names.append(table.name)
    return names


def register_reference(spark: SparkSession, env: dict[str, str]) -> list[str]:
    """``ref.<table>`` over the reference database; none, with a note, when it cannot be reached."""
    try:
        return register_reference_tables(spark, reference_db(env))
    except ReferenceDbConfigurationError as problem:
        print(f"note: no ref.* tables: {problem}", file=sys.stderr)
    except Exception as problem:  # noqa: BLE001 - a JDBC connection error arrives as a Py4J error
        print(f"note: no ref.* tables: the reference database did not answer ({str(problem).splitlines()[0][:200]})", file=sys.stderr)
    return []


def table_location(root: str, name: str) -> str:
    """``curated.claims`` (or ``curated.claims_all``, or ``gold.claims_by_product``) -> the Delta table's path."""
    gold = {table.name: table.path for table in lake().gold.values()}
    if name in gold:
        return f"{root}/{gold[name]}"
    layer, _, source = name.partition(".")
    source = source.removesuffix("_all")
    if layer not in LAYERS or source not in contracts():
        raise SystemExit(f"unknown table {name}: use <{'|'.join(LAYERS)}>.<{'|'.join(contracts())}>")
    return table_path(root, layer, source)


def parse_args(argv: list[str], env: dict[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lake", description="Spark SQL over the lake's Delta tables")
    parser.add_argument("--bucket", default=env.get("LAKE_BUCKET", "lake"), help="bucket name or storage root URI")
    parser.add_argument("--limit", type=int, default=100, help="rows to print")
    commands = parser.add_subparsers(dest="command", required=True)
    query = commands.add_parser("query", help="run Spark SQL and print the result")
    query.add_argument("sql", nargs="+")
    history = commands.add_parser("history", help="DESCRIBE HISTORY of a table")
    history.add_argument("table", help="e.g. curated.transactions")
    commands.add_parser("tables", help="list the tables that exist")
    commands.add_parser("gold", help="build the gold tables from the curated tables and the reference database")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from .session import spark_session, with_local_stack_defaults

    env = with_local_stack_defaults(os.environ)
    args = parse_args(sys.argv[1:] if argv is None else argv, env)
    with spark_session(env={"LEDGERFLOW_SPARK_LOG_LEVEL": "ERROR", **env}) as spark:
        root = bucket_root(args.bucket)
        if args.command == "gold":
            from .gold import build_gold

            for name, outcome in build_gold(spark, args.bucket, env).items():
                print(f"gold.{name}: {outcome['rows']} rows, {'written' if outcome['written'] else 'unchanged'} ({outcome['ms']} ms)")
            return 0
        # A query registers only the tables it names, history none: a look at each table's log
        # was most of a short query's time.
        if args.command == "query":
            only = named_tables(" ".join(args.sql))
        elif args.command == "history":
            only = set()
        else:
            only = None
        names = register_tables(spark, root, only)
        if only is None or any(name.startswith("ref.") for name in only):
            names += register_reference(spark, env)
        if args.command == "tables":
            print("\n".join(names) if names else f"no tables yet under {root}/{TABLES_PREFIX}")
        elif args.command == "query":
            spark.sql(" ".join(args.sql)).show(args.limit, truncate=False)
        else:
            path = table_location(root, args.table)
            if not DeltaTable.isDeltaTable(spark, path):
                raise SystemExit(f"{args.table} does not exist yet ({path})")
            spark.sql(f"DESCRIBE HISTORY delta.`{path}`").select(
                "version", "timestamp", "operation", "operationParameters", "operationMetrics"
            ).show(args.limit, truncate=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
