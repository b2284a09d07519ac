"""The lake contract and the source contracts, read from ``lake_contract.json``.

That file is generated from the TypeScript definitions in ``layers/contracts`` (``lake.ts``:
prefixes, object-key formats, table paths; ``lake-lines.ts``: the landing and quarantine
line formats; ``registry.ts``: the sources) by ``npm run contracts:export``; a unit test
fails when it is stale. Nothing here repeats a fact that file holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

# Read as package data: on EMR Serverless the package runs from ledgerflow_spark.zip.
LAKE_CONTRACT_JSON = files(__package__).joinpath("lake_contract.json")


@dataclass(frozen=True)
class Field:
    name: str
    type: str


@dataclass(frozen=True)
class LineField:
    """One field of a line format: its JSON type, nullability and, for arrays, the element's fields."""

    name: str
    type: str
    nullable: bool
    optional: bool
    items: tuple[LineField, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    path: str


@dataclass(frozen=True)
class SourceContract:
    source: str
    version: int
    business_key: str
    event_time_field: str
    decimal_fields: tuple[str, ...]
    card_fields: tuple[str, ...]
    fields: tuple[Field, ...]
    prefixes: dict[str, str]
    tables: dict[str, Table]


@dataclass(frozen=True)
class LakeContract:
    prefixes: dict[str, str]
    offset_digits: int
    object_keys: dict[str, str]
    layers: tuple[str, ...]
    landing_line: tuple[LineField, ...]
    quarantine_line: tuple[LineField, ...]
    # The gold tables by short name, e.g. "transactions_daily".
    gold: dict[str, Table]


def _line_fields(entries: list[dict]) -> tuple[LineField, ...]:
    return tuple(LineField(e["name"], e["type"], e["nullable"], e["optional"], _line_fields(e.get("items", []))) for e in entries)


def _source(entry: dict) -> SourceContract:
    return SourceContract(
        source=entry["source"],
        version=entry["version"],
        business_key=entry["businessKey"],
        event_time_field=entry["eventTimeField"],
        decimal_fields=tuple(entry["decimalFields"]),
        card_fields=tuple(entry["cardFields"]),
        fields=tuple(Field(field["name"], field["type"]) for field in entry["fields"]),
        prefixes=dict(entry["prefixes"]),
        tables={layer: Table(table["name"], table["path"]) for layer, table in entry["tables"].items()},
    )


@lru_cache(maxsize=1)
def _document() -> dict:
    return json.loads(LAKE_CONTRACT_JSON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def lake() -> LakeContract:
    entry = _document()["lake"]
    return LakeContract(
        prefixes=dict(entry["prefixes"]),
        offset_digits=entry["offsetDigits"],
        object_keys=dict(entry["objectKeys"]),
        layers=tuple(entry["layers"]),
        landing_line=_line_fields(entry["lines"]["landing"]),
        quarantine_line=_line_fields(entry["lines"]["quarantine"]),
        gold={name: Table(table["name"], table["path"]) for name, table in entry["gold"].items()},
    )


@lru_cache(maxsize=1)
def contracts() -> dict[str, SourceContract]:
    return {entry["source"]: _source(entry) for entry in _document()["sources"]}


# The tables of each source: raw, curated, quarantine.
LAYERS = lake().layers


class UnknownSourceError(ValueError):
    pass


def contract_for(source: str) -> SourceContract:
    try:
        return contracts()[source]
    except KeyError:
        raise UnknownSourceError(f'no data contract for source "{source}"') from None
