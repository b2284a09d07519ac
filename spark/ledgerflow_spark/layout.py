"""Where things live in the lake bucket; mirrors layers/lib/lake-layout.ts."""

from __future__ import annotations

LANDING_PREFIX = "landing/"
QUARANTINE_PREFIX = "quarantine/"
TABLES_PREFIX = "tables/"


def bucket_root(bucket: str) -> str:
    """``s3a://bucket``; a value that already has a scheme (a local test path) is kept."""
    if bucket.startswith("/"):
        return "file:" + bucket.rstrip("/")
    if bucket.startswith("file:///"):
        # Hadoop's own spelling; Delta compares locations as strings.
        return "file:/" + bucket[len("file:///") :].rstrip("/")
    return bucket.rstrip("/") if "://" in bucket or bucket.startswith("file:") else f"s3a://{bucket}"


def table_path(root: str, layer: str, source: str) -> str:
    return f"{root}/{TABLES_PREFIX}{layer}/{source}"


def object_path(root: str, key: str) -> str:
    return f"{root}/{key}"


def landing_prefix(root: str, source: str) -> str:
    return f"{root}/{LANDING_PREFIX}{source}/"


def quarantine_prefix(root: str, source: str) -> str:
    return f"{root}/{QUARANTINE_PREFIX}{source}/"
