"""What a line item is, read from its name once, at ingest: its composition group (인건비 → personnel), the
countable events it funds (제44차 집행위원회 개최 → one executive committee) and the people its basis counts
(직원 7명, 인턴 2명 → 9). Analysis reads these columns and never parses names again."""

from __future__ import annotations

import re

from .. import vocabulary
from ..errors import InputError
from .activities import item_activities
from .amounts import AmountError, to_int

# a head count in a basis: 직원 7명, 인턴 2명 (the word before the number names who)
_HEADS = re.compile(r"([가-힣A-Za-z]+)\s*(\d[\d,]*)\s*명")
# words before a number of people that say what happened to them, not who they are (전년 대비 2명 증원)
_NOT_STAFF = ("대비", "년", "월", "총", "약", "증원", "감원", "채용", "충원")


def head_count(basis: str | None) -> tuple[int | None, str | None]:
    """The people a basis states and how they are made up: ``직원 7명, 인턴 2명 등`` → (9, ``직원 7, 인턴 2``);
    (None, None) where it states none. A number beyond the amounts' bound raises AmountError."""
    text = re.sub(r"\([^()]*\)", " ", basis or "")  # notes inside the basis: (전년 대비 2명 증원)
    heads = [(word, to_int(n)) for word, n in _HEADS.findall(text) if not word.endswith(_NOT_STAFF)]
    if not heads:
        return None, None
    return sum(n for _, n in heads), ", ".join(f"{w} {n}" for w, n in heads)


def classify_line_items(rows: list[dict], source: str) -> list[dict]:
    """The rows with ``group`` (of the item's top-level item, by its name), ``event_category`` and
    ``event_count`` (the events its name names, read clause by clause like an outcome item: 제15차 이사회
    개최 → one board meeting; the count only where the name states or implies one; a name of several kinds,
    제44차 집행위원회 및 준비회의 개최, has no one category).
    ``head_count`` and ``head_count_detail`` (the people its basis states). A meeting number or head count
    beyond the bound of every number read (제40000000000000004차) is an InputError naming ``source`` and the
    item's line."""
    by_id = {r["item_id"]: r for r in rows}
    out = []
    for r in rows:
        top = r
        while top.get("parent_id") and top["parent_id"] in by_id:
            top = by_id[top["parent_id"]]
        try:
            found = [a for a in item_activities(r["name_ko"]) if a["category"] != "other"]
            heads, detail = head_count(r.get("basis_ko"))
        except AmountError as exc:
            raise InputError(source, f"line item {r['name_ko'][:40]!r}: {exc}", r["source_line"]) from None
        kinds = {a["category"] for a in found}
        category = kinds.pop() if len(kinds) == 1 else None  # a congress and committees: no one type
        counts = [a["count"] for a in found]
        count = sum(counts) if category and all(c is not None for c in counts) else None
        out.append(dict(r, group=vocabulary.group_of(top["name_ko"]), event_category=category,
                        event_count=count, head_count=heads, head_count_detail=detail))
    return out
