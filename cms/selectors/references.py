"""What a course's sections and a bundle's items point at: page ids read from their block lists."""

from __future__ import annotations

from typing import Any


def referenced_ids(row: dict[str, Any]) -> list[int]:
    """The page ids a course row's ``sections`` or a bundle row's ``items`` name, in order."""
    if "sections" in row:
        return [
            pk
            for section in row["sections"].raw_data
            for pk in list_block_values(section["value"]["lessons"])
            if pk
        ]
    return [block["value"] for block in row["items"].raw_data if block["value"]]


def list_block_values(raw: list) -> list:
    """A ListBlock's raw values: ``[{"type": "item", "value": v, "id": ...}]``, or plain values
    in data saved before Wagtail 2.16."""
    return [item["value"] if isinstance(item, dict) else item for item in raw]


def lesson_ids(row: dict[str, Any]) -> list[int]:
    return referenced_ids({"sections": row["sections"]})


def bundle_item_ids(row: dict[str, Any]) -> list[int]:
    return referenced_ids({"items": row["items"]})
