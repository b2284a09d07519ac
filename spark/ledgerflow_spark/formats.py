"""Reading landing and quarantine objects: NDJSON lines in the formats of the lake contract.

The read schemas are built from the line formats in ``lake_contract.json`` (exported from
layers/contracts/lake-lines.ts, which the validate and file-drop functions write with).
JSON objects and free values (a line's ``record``, ``payload``) are kept as their JSON text.
"""

from __future__ import annotations

from typing import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .contracts import LineField, lake
from .layout import object_path

_SCALARS = {"string": T.StringType(), "int": T.IntegerType(), "bigint": T.LongType(), "object": T.StringType(), "any": T.StringType()}


def spark_type(field: LineField) -> T.DataType:
    if field.type == "array":
        return T.ArrayType(line_schema(field.items))
    return _SCALARS[field.type]


def line_schema(fields: Sequence[LineField]) -> T.StructType:
    """The read schema of a line format. Spark's JSON reader reads every column as nullable."""
    return T.StructType([T.StructField(field.name, spark_type(field)) for field in fields])


LANDING_LINE = line_schema(lake().landing_line)
QUARANTINE_LINE = line_schema(lake().quarantine_line)
# One reason of a quarantine line: {path, message}.
REASON = QUARANTINE_LINE["reasons"].dataType.elementType


def read_lines(spark: SparkSession, root: str, keys: Sequence[str], schema: T.StructType, key_prefix: str) -> DataFrame:
    """The NDJSON lines of the objects, each with the key of its object (``_object_key``)."""
    paths = [object_path(root, key) for key in keys]
    key_pattern = "(" + key_prefix.replace(".", "\\.") + ".*)$"
    return (
        spark.read.schema(schema)
        .option("mode", "PERMISSIVE")
        .json(paths)
        .withColumn("_object_key", F.regexp_extract(F.col("_metadata.file_path"), key_pattern, 1))
    )
