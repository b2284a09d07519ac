"""The reference database (PostgreSQL: currencies, FX rates, merchant categories,
insurance products) read by Spark over JDBC.

Its schema and rows are owned by layers/reference-data (migrations and seed files,
applied by ``npm run db:migrate`` and ``npm run stack:up``); here it is only read.
Connection settings use libpq's variable names: ``PGHOST``, ``PGPORT``, ``PGUSER``,
``PGPASSWORD``, ``PGDATABASE``, optional ``PGSSLMODE`` (e.g. ``require`` for Amazon RDS).
In AWS, ``REFERENCE_DB_SECRET_ARN`` names the Secrets Manager secret that holds the user
and password instead (``{"username": ..., "password": ...}``, as RDS manages it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from pyspark.sql import DataFrame, SparkSession

# The tables of the database's ``ref`` schema; lake.py shows them as ``ref.<table>``.
REFERENCE_TABLES = ("currencies", "fx_rates", "merchant_categories", "lines_of_business", "insurance_products")
SCHEMA = "ref"
DRIVER = "org.postgresql.Driver"


class ReferenceDbConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class ReferenceDb:
    url: str
    user: str
    password: str

    def options(self, table: str) -> dict[str, str]:
        """The JDBC data source's options for one ``ref`` table."""
        return {"url": self.url, "dbtable": f"{SCHEMA}.{table}", "user": self.user, "password": self.password, "driver": DRIVER}


def _secret(arn: str) -> dict:
    import boto3  # present on EMR Serverless; only needed there

    return json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def reference_db(env: Mapping[str, str]) -> ReferenceDb:
    """The connection from the environment; fails with the missing variable's name."""
    missing = [name for name in ("PGHOST", "PGDATABASE") if not env.get(name)]
    if missing:
        raise ReferenceDbConfigurationError(f"the reference database is not configured: set {', '.join(missing)}")
    user, password = env.get("PGUSER", ""), env.get("PGPASSWORD", "")
    if env.get("REFERENCE_DB_SECRET_ARN"):
        secret = _secret(env["REFERENCE_DB_SECRET_ARN"])
        user, password = secret.get("username", user), secret["password"]
    url = f"jdbc:postgresql://{env['PGHOST']}:{env.get('PGPORT', '5432')}/{env['PGDATABASE']}"
    if env.get("PGSSLMODE"):
        url += f"?sslmode={env['PGSSLMODE']}"
    return ReferenceDb(url=url, user=user, password=password)


def read_reference(spark: SparkSession, db: ReferenceDb, table: str) -> DataFrame:
    """One ``ref`` table; NUMERIC columns arrive as DECIMAL of the same precision and scale."""
    if table not in REFERENCE_TABLES:
        raise ValueError(f"unknown reference table {table}: one of {', '.join(REFERENCE_TABLES)}")
    return spark.read.format("jdbc").options(**db.options(table)).load()


def register_reference_tables(spark: SparkSession, db: ReferenceDb) -> list[str]:
    """Tables ``ref.<table>`` in the session's catalog, read through JDBC at query time."""
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {SCHEMA}")
    names = []
    for table in REFERENCE_TABLES:
        spark.sql(f"DROP TABLE IF EXISTS {SCHEMA}.{table}")
        # The catalog API takes the options as values, so a password needs no SQL quoting.
        spark.catalog.createTable(f"{SCHEMA}.{table}", source="jdbc", **db.options(table))
        names.append(f"{SCHEMA}.{table}")
    return names
