"""The Python side against the exported lake contract (lake_contract.json), without a JVM.

The TypeScript side is guarded by tests/unit/contracts-export.test.ts (the export is
fresh); these tests fail when Python expects a line field, a reason field or a column
type that the exported contract does not have.
"""

from __future__ import annotations

from ledgerflow_spark.contracts import contracts, lake
from ledgerflow_spark.formats import LANDING_LINE, QUARANTINE_LINE, REASON
from ledgerflow_spark.layout import batch_object_key, table_path
from ledgerflow_spark.transforms import CURATED_TYPES, LANDING_COLUMNS, LINEAGE_COLUMNS, QUARANTINE_COLUMNS, REASON_FIELDS

from .landing import landing_line, quarantine_line


def names(fields) -> list[str]:
    return [field.name for field in fields]


def written(fields) -> list[str]:
    """The fields every line carries (optional ones appear only in some lines)."""
    return [field.name for field in fields if not field.optional]


def test_the_merge_reads_only_fields_of_the_exported_landing_line():
    expected = [*LINEAGE_COLUMNS, *LANDING_COLUMNS]

    missing = [name for name in expected if name not in names(lake().landing_line)]

    assert missing == []


def test_the_merge_reads_only_fields_of_the_exported_quarantine_line_and_its_reasons():
    reasons = next(field for field in lake().quarantine_line if field.name == "reasons")

    missing = [name for name in [*LINEAGE_COLUMNS, *QUARANTINE_COLUMNS] if name not in names(lake().quarantine_line)]
    missing += [f"reasons.{name}" for name in REASON_FIELDS if name not in names(reasons.items)]

    assert missing == []


def test_read_schemas_are_the_exported_line_formats_with_json_values_as_text():
    assert LANDING_LINE.fieldNames() == names(lake().landing_line)
    assert QUARANTINE_LINE.fieldNames() == names(lake().quarantine_line)
    assert LANDING_LINE["record"].dataType.simpleString() == "string"
    assert LANDING_LINE["offset"].dataType.simpleString() == "bigint"
    assert QUARANTINE_LINE["payload"].dataType.simpleString() == "string"
    assert REASON.simpleString() == "struct<path:string,message:string>"


def test_every_exported_column_type_has_a_spark_type():
    types = {field.type for contract in contracts().values() for field in contract.fields}

    assert types - set(CURATED_TYPES) == set()


def test_fixture_lines_have_exactly_the_fields_the_writers_write():
    landing = landing_line("transactions", "t1", "2026-03-01T10:00:00.000Z", 0)
    quarantined = quarantine_line(landing, [{"path": "", "message": "bad"}], None)

    assert list(landing) == written(lake().landing_line)
    assert list(quarantined) == written(lake().quarantine_line)


def test_keys_and_table_paths_follow_the_exported_formats():
    key = batch_object_key("landing", "claims", "ingest.claims", 3, 7, 42)

    # The same key tests/unit/contracts-export.test.ts expects from the TypeScript writer.
    assert key == "landing/claims/ingest.claims/partition=3/00000000000000000007-00000000000000000042.ndjson"
    assert key.startswith(contracts()["claims"].prefixes["landing"])
    assert table_path("s3a://lake", "curated", "claims") == "s3a://lake/tables/curated/claims"
