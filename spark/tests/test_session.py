"""The Spark settings the session factory derives from the environment (pure: no Spark)."""

from __future__ import annotations

import pytest

from ledgerflow_spark.session import spark_settings

COMPACTION_TARGETS = ("spark.databricks.delta.autoCompact.maxFileSize", "spark.databricks.delta.optimize.maxFileSize")


def test_compaction_aims_at_8_mb_files_unless_told_otherwise():
    assert {spark_settings({})[name] for name in COMPACTION_TARGETS} == {str(8 * 1024 * 1024)}
    assert {spark_settings({"LEDGERFLOW_TARGET_FILE_MB": "64"})[name] for name in COMPACTION_TARGETS} == {str(64 * 1024 * 1024)}


@pytest.mark.parametrize("value", ["0", "-8", "8.5", "8MB", "", " 8"])
def test_a_target_file_size_that_is_not_a_whole_number_of_megabytes_is_refused_by_name(value):
    with pytest.raises(ValueError, match="LEDGERFLOW_TARGET_FILE_MB"):
        spark_settings({"LEDGERFLOW_TARGET_FILE_MB": value})
