"""What a line item is, read from its name once, at ingest: its composition group (인건비 → personnel) and
the countable events it funds (제44차 집행위원회 개최 → one executive committee). Analysis reads these
columns and never parses names again."""

from __future__ import annotations

from .. import vocabulary
from ..errors import InputError
from .activities import item_activities
from .amounts import AmountError


def classify_line_items(rows: list[dict], source: str) -> list[dict]:
    """The rows with ``group`` (of the item's top-level item, by its name), ``event_category`` and
    ``event_count`` (the events its name names; the count only where the name states or implies one).
    A meeting number beyond the bound of every number read (제40000000000000004차) is an InputError naming
    ``source`` and the item's line."""
    by_id = {r["item_id"]: r for r in rows}
    out = []
    for r in rows:
        top = r
        while top.get("parent_id") and top["parent_id"] in by_id:
            top = by_id[top["parent_id"]]
        try:
            found = [a for a in item_activities(r["name_ko"]) if a["category"] != "other"]
        except AmountError as exc:
            raise InputError(source, f"line item {r['name_ko'][:40]!r}: {exc}", r["source_line"]) from None
        category = found[0]["category"] if found else None
        counts = [a["count"] for a in found]
        count = sum(counts) if found and all(c is not None for c in counts) else None
        out.append(dict(r, group=vocabulary.group_of(top["name_ko"]), event_category=category,
                        event_count=count))
    return out
