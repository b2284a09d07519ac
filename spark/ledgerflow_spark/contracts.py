"""Source contracts as exported from the TypeScript registry (``npm run contracts:export``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTRACTS_JSON = Path(__file__).with_name("contracts.json")
LAYERS = ("raw", "curated", "quarantine")


@dataclass(frozen=True)
class Field:
    name: str
    type: str


@dataclass(frozen=True)
class SourceContract:
    source: str
    version: int
    business_key: str
    event_time_field: str
    decimal_fields: tuple[str, ...]
    fields: tuple[Field, ...]
    tables: dict[str, str]


def _parse(entry: dict) -> SourceContract:
    return SourceContract(
        source=entry["source"],
        version=entry["version"],
        business_key=entry["businessKey"],
        event_time_field=entry["eventTimeField"],
        decimal_fields=tuple(entry["decimalFields"]),
        fields=tuple(Field(field["name"], field["type"]) for field in entry["fields"]),
        tables=dict(entry["tables"]),
    )


@lru_cache(maxsize=1)
def contracts() -> dict[str, SourceContract]:
    document = json.loads(CONTRACTS_JSON.read_text(encoding="utf-8"))
    return {entry["source"]: _parse(entry) for entry in document["sources"]}


class UnknownSourceError(ValueError):
    pass


def contract_for(source: str) -> SourceContract:
    try:
        return contracts()[source]
    except KeyError:
        raise UnknownSourceError(f'no data contract for source "{source}"') from None
