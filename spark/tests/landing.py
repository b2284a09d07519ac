"""Writes landing and quarantine objects as the validate function does: keys and line
formats of the lake contract (layers/contracts/lake.ts, lake-lines.ts, exported to
lake_contract.json); test_lake_contract.py checks these lines against the exported formats."""

from __future__ import annotations

import json
from pathlib import Path

from ledgerflow_spark.contracts import lake
from ledgerflow_spark.layout import batch_object_key, table_path


def landing_line(
    source: str,
    key: str,
    event_time: str,
    offset: int,
    record: dict | None = None,
    op: str = "upsert",
    partition: int = 0,
    event_id: str | None = None,
) -> dict:
    return {
        "eventId": event_id or f"evt-{source}-{partition}-{offset}",
        "batchId": f"batch-{offset // 100}",
        "receivedAt": "2026-03-01T12:00:00.000Z",
        "traceparent": None,
        "source": source,
        "topic": f"ingest.{source}",
        "partition": partition,
        "offset": offset,
        "kafkaTimestamp": 1772366400000 + offset,
        "op": op,
        "key": key,
        "eventTime": event_time,
        "contractVersion": 1,
        "record": record if record is not None else {},
    }


def kinesis_line(source: str, key: str, event_time: str, shard: int, sequence_number: str, record: dict, event_id: str) -> dict:
    """A landing line of a record read from a Kinesis shard: no offset, a sequence number."""
    line = landing_line(source, key, event_time, 0, record, partition=shard, event_id=event_id)
    return {**line, "topic": f"ledgerflow-{source}", "offset": None, "sequenceNumber": sequence_number}


def quarantine_line(rejected: dict, reasons: list[dict], payload) -> dict:
    """The quarantine line of a rejected landing line: its lineage, the reasons and the payload."""
    lineage = [field.name for field in lake().quarantine_line if field.name in rejected]
    return {**{name: rejected[name] for name in lineage}, "reasons": reasons, "payload": payload}


def transaction(transaction_id: str, updated_at: str, amount: str = "10.00", status: str = "posted", **extra) -> dict:
    return {
        "transactionId": transaction_id,
        "accountId": "acc-1",
        "type": "debit",
        "status": status,
        "amount": amount,
        "currency": "EUR",
        "occurredAt": "2026-03-01T09:00:00.000Z",
        "updatedAt": updated_at,
        "cardMasked": None,
        "cardToken": None,
        **extra,
    }


def upsert(transaction_id: str, updated_at: str, offset: int, **fields) -> dict:
    return landing_line("transactions", transaction_id, updated_at, offset, transaction(transaction_id, updated_at, **fields))


def delete(transaction_id: str, updated_at: str, offset: int) -> dict:
    record = {"op": "delete", "transactionId": transaction_id, "updatedAt": updated_at}
    return landing_line("transactions", transaction_id, updated_at, offset, record, op="delete")


class LakeFolder:
    """A local folder laid out like the lake bucket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root = path.resolve().as_uri()

    def _write(self, kind: str, source: str, lines: list[dict], partition: int) -> str:
        offsets = [line["offset"] if line["offset"] is not None else int(line["sequenceNumber"]) for line in lines]
        key = batch_object_key(kind, source, lines[0]["topic"], partition, min(offsets), max(offsets))
        target = self.path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        return key

    def landing(self, lines: list[dict], source: str = "transactions", partition: int = 0) -> str:
        return self._write("landing", source, lines, partition)

    def quarantine(self, lines: list[dict], source: str = "transactions", partition: int = 0) -> str:
        return self._write("quarantine", source, lines, partition)

    def table(self, layer: str, source: str = "transactions") -> str:
        return table_path(self.root, layer, source)
