"""What a publisher is: one output format of a year folder, named for the registry and the portal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Publisher:
    """One output format: ``publish(folder, fiscal_year, ds, lang)`` writes its file into the year folder
    (atomically; None when the folder holds nothing to publish), ``file(fiscal_year)`` is that file's
    path inside the folder, ``label`` the key of its link text in vocabulary.toml ``[portal_labels]`` and
    ``kind`` the file's type as the portal shows it."""

    name: str
    publish: Callable[..., Path | None]
    file: Callable[[int], str]
    label: str
    kind: str
