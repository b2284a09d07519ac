"""Where things live under a storage root; the prefixes, key formats and table paths come
from the lake contract (``lake_contract.json``, exported from layers/contracts/lake.ts)."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from .contracts import contract_for, lake

LANDING_PREFIX = lake().prefixes["landing"]
QUARANTINE_PREFIX = lake().prefixes["quarantine"]
TABLES_PREFIX = lake().prefixes["tables"]


def bucket_root(bucket: str) -> str:
    """``s3a://bucket``; a value that already has a scheme (a local test path) is kept."""
    if bucket.startswith("/"):
        return "file:" + bucket.rstrip("/")
    if bucket.startswith("file:///"):
        # Hadoop's own spelling; Delta compares locations as strings.
        return "file:/" + bucket[len("file:///") :].rstrip("/")
    return bucket.rstrip("/") if "://" in bucket or bucket.startswith("file:") else f"s3a://{bucket}"


def table_path(root: str, layer: str, source: str) -> str:
    return f"{root}/{contract_for(source).tables[layer].path}"


def ledger_path(root: str, source: str) -> str:
    """The merge ledger of a source (ledger.py): which landing objects are claimed and done.
    Only the Spark jobs read and write it, so its place is not part of the lake contract."""
    return f"{root}/{TABLES_PREFIX}ledger/{source}"


def object_path(root: str, key: str) -> str:
    return f"{root}/{key}"


def landing_prefix(root: str, source: str) -> str:
    return object_path(root, contract_for(source).prefixes["landing"])


def quarantine_prefix(root: str, source: str) -> str:
    return object_path(root, contract_for(source).prefixes["quarantine"])


def batch_object_key(kind: str, source: str, topic: str, partition: int, first_offset: int, last_offset: int) -> str:
    """The key of a landing (``kind="landing"``) or quarantine object of one topic-partition batch."""
    digits = lake().offset_digits
    return lake().object_keys[kind].format(
        source=source, topic=topic, partition=partition, firstOffset=str(first_offset).zfill(digits), lastOffset=str(last_offset).zfill(digits)
    )


def object_folder(key: str) -> str:
    """The folder of an object's key: one topic-partition or shard for batch objects."""
    return key.rpartition("/")[0] + "/"


def object_folder_of(key: Column) -> Column:
    """``object_folder`` of a column of object keys."""
    return F.regexp_extract(key, r"^(.+/)[^/]*$", 1)
