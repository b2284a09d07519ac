"""Creating a table while another run creates it, or after one died creating it."""

from __future__ import annotations

import os
import shutil
import threading
import time

from delta.tables import DeltaTable
from pyspark.sql import types as T

from ledgerflow_spark import storage
from ledgerflow_spark.merge import CURATED_TABLE_PROPERTIES, RAW_TABLE_PROPERTIES

SCHEMA = T.StructType([T.StructField("id", T.StringType()), T.StructField("amount", T.DecimalType(18, 2))])
FIRST_COMMIT = "_delta_log/00000000000000000000.json"


def versions(spark, path: str) -> list[int]:
    return sorted(row.version for row in DeltaTable.forPath(spark, path).history().select("version").collect())


def test_a_create_that_meets_another_runs_uncommitted_table_waits_for_its_first_version(spark, tmp_path):
    # The other run has made the `_delta_log` folder and commits version 0 a moment later:
    # its commit file is one made by a real create, renamed into place as Delta does.
    committed = str(tmp_path / "committed")
    storage.ensure_table(spark, committed, SCHEMA)
    target = tmp_path / "target"
    (target / "_delta_log").mkdir(parents=True)

    def commit_later() -> None:
        time.sleep(1.5)
        shutil.copy(os.path.join(committed, FIRST_COMMIT), target / "_delta_log" / ".commit.tmp")
        os.rename(target / "_delta_log" / ".commit.tmp", target / FIRST_COMMIT)

    other_run = threading.Thread(target=commit_later)
    other_run.start()
    storage.ensure_table(spark, str(target), SCHEMA)
    other_run.join()

    # Only the other run's version: this run waited for it and committed nothing itself.
    assert versions(spark, str(target)) == [0]
    assert spark.read.format("delta").load(str(target)).schema == SCHEMA


def test_a_table_whose_creator_died_before_its_first_version_is_created_over_the_empty_log(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "CREATOR_WAIT_ATTEMPTS", 2)
    target = tmp_path / "target"
    (target / "_delta_log").mkdir(parents=True)

    # The properties the merge gives its tables, values with spaces among them.
    properties = {**RAW_TABLE_PROPERTIES, **CURATED_TABLE_PROPERTIES}
    storage.ensure_table(spark, str(target), SCHEMA, properties)

    assert spark.read.format("delta").load(str(target)).schema == SCHEMA
    held = DeltaTable.forPath(spark, str(target)).detail().first().properties
    assert {key: held.get(key) for key in properties} == properties
    committed = versions(spark, str(target))
    storage.ensure_table(spark, str(target), SCHEMA, properties)
    assert versions(spark, str(target)) == committed
