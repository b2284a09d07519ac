"""Objects and Delta tables under a storage root (``s3a://<bucket>`` or a local folder).

Object keys are listed through Spark's public file index (``DataFrame.inputFiles``), which
lists files without reading them and works on every filesystem the session can reach.
"""

from __future__ import annotations

import logging
from typing import Sequence
from urllib.parse import unquote

from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .commits import sql_string, with_conflict_retry
from .layout import object_folder_of

log = logging.getLogger("ledgerflow.merge")


def list_objects(spark: SparkSession, prefix_uri: str, key_prefix: str) -> list[str]:
    """Keys (from ``key_prefix`` on) of the NDJSON objects under a prefix, sorted.

    Spark's file index skips names that start with "_" or "."; lake keys never do.
    """
    reader = spark.read.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.ndjson")
    try:
        uris = reader.text(prefix_uri).inputFiles()
    except AnalysisException as error:
        if error.getErrorClass() == "PATH_NOT_FOUND":
            return []
        raise
    # inputFiles() gives URIs, with characters such as spaces escaped; keys are the plain names.
    return sorted(key_of(unquote(uri), key_prefix) for uri in uris)


def key_of(uri: str, key_prefix: str) -> str:
    """The object key of a file URI, from the ``landing/<source>/`` style prefix on."""
    index = uri.rfind("/" + key_prefix)
    return uri[index + 1 :] if index >= 0 else uri


def table_exists(spark: SparkSession, path: str) -> bool:
    return DeltaTable.isDeltaTable(spark, path)


# createIfNotExists fails with this when it finds the `_delta_log` folder of a table whose
# creator has not committed the first version yet (another run creating it this moment,
# or one that died doing so).
UNCOMMITTED_TABLE = "DELTA_TABLE_NOT_FOUND"
# Attempts (with growing pauses, about 25 s in all) before that creator counts as gone.
CREATOR_WAIT_ATTEMPTS = 10


def ensure_table(spark: SparkSession, path: str, schema: T.StructType, properties: dict[str, str] | None = None) -> None:
    """Creates the Delta table at ``path`` unless it exists (safe when two runs race, and
    after a run that died while creating it)."""
    if table_exists(spark, path):
        return

    def create() -> None:
        builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema)
        for key, value in (properties or {}).items():
            builder = builder.property(key, value)
        builder.execute()

    try:
        # A creator that is still running commits within seconds: waiting for it is a retry.
        with_conflict_retry(create, f"create {path}", CREATOR_WAIT_ATTEMPTS, also=(UNCOMMITTED_TABLE,))
    except AnalysisException as error:
        if error.getErrorClass() != UNCOMMITTED_TABLE:
            raise
        log.warning("create %s: its first version never came; committing it here", path)
        with_conflict_retry(lambda: commit_first_version(spark, path, schema, properties), f"create {path}")


def commit_first_version(spark: SparkSession, path: str, schema: T.StructType, properties: dict[str, str] | None) -> None:
    """Creates the table over a `_delta_log` folder without commits: an empty append
    commits version 0 whatever the folder holds."""
    spark.createDataFrame([], schema).write.format("delta").mode("append").save(path)
    if properties:
        assignments = ", ".join(f"{sql_string(key)} = {sql_string(value)}" for key, value in properties.items())
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ({assignments})")


def add_missing_columns(spark: SparkSession, path: str, columns: T.StructType) -> None:
    """Adds the columns that a table created by an earlier version lacks; old rows read null."""

    def add() -> None:
        present = set(DeltaTable.forPath(spark, path).toDF().columns)
        missing = [f"`{f.name}` {f.dataType.simpleString()}" for f in columns.fields if f.name not in present]
        if missing:
            spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS ({', '.join(missing)})")

    with_conflict_retry(add, f"add columns {path}")


def keys_in_folders(spark: SparkSession, path: str, key_column: str, folders: Sequence[str]) -> list[str]:
    """The object keys a raw or quarantine table holds in the given folders: its record of which objects are loaded."""
    if not folders or not table_exists(spark, path):
        return []
    in_folders = object_folder_of(F.col(key_column)).isin(list(folders))
    return [row[0] for row in spark.read.format("delta").load(path).where(in_folders).select(key_column).distinct().collect()]

