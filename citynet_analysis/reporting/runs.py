"""A notebook run as the batch records it in ``manifest.json`` and the portal reads it: its status and its
manifest entry. Shared by the batch (which writes entries) and the publishers (which read them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """How a notebook run went."""

    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"
    NOT_PUBLISHED = "not published"  # it ran, but another notebook of its year failed: the year was kept
    UP_TO_DATE = "up to date"  # not re-run: its key had not changed since its last good run

    @property
    def published(self) -> bool:
        """Its reports are the year's current ones."""
        return self in (Status.OK, Status.UP_TO_DATE)


def relative_path(path: str) -> bool:
    """A plain relative path inside the reports folder (no absolute path, no '..')."""
    parts = Path(path).parts
    return bool(parts) and not Path(path).is_absolute() and ".." not in parts


@dataclass
class RunEntry:
    """One notebook of one year folder in the manifest: the run whose reports the folder holds (``status``
    ok) or, when none was ever published, the last one; a later run that did not replace them is
    ``latest_*``."""

    year: int
    notebook: str
    path: str  # the executed notebook, relative to the reports folder
    status: Status
    program: str = ""
    folder: str = ""  # "2024" or "wego/2024"; older manifests: the year
    seconds: float = 0.0
    execute_seconds: float = 0.0
    error: str = ""
    key: str = ""
    key_parts: dict = field(default_factory=dict)
    lang: str = ""
    latest_run: Status | None = None
    latest_error: str = ""
    latest_path: str = ""
    #: Every file the run's reports consist of (its notebook, its pages, the figures and tables it saved,
    #: the folder's memos and workbook), relative to the reports folder → SHA-256: a later run checks them.
    outputs: dict = field(default_factory=dict)

    def __post_init__(self):
        self.folder = self.folder or str(self.year)

    @classmethod
    def from_json(cls, e) -> RunEntry:
        """An entry of manifest.json; ValueError for anything a batch did not write."""
        if not isinstance(e, dict):
            raise ValueError("not an entry")
        known = {f.name for f in fields(cls)}
        e = {k: v for k, v in e.items() if k in known}
        checks = [type(e.get("year")) is int, isinstance(e.get("notebook"), str),
                  isinstance(e.get("path"), str) and relative_path(e["path"]), isinstance(e.get("status"), str),
                  isinstance(e.get("seconds", 0), int | float), isinstance(e.get("execute_seconds", 0), int | float),
                  isinstance(e.get("program", ""), str), isinstance(e.get("folder", "x"), str)
                  and relative_path(e.get("folder") or "x"), isinstance(e.get("key", ""), str),
                  isinstance(e.get("key_parts", {}), dict), isinstance(e.get("error", ""), str),
                  isinstance(e.get("lang", ""), str), e.get("latest_run") is None or isinstance(e["latest_run"], str),
                  isinstance(e.get("latest_error", ""), str), isinstance(e.get("latest_path", ""), str)
                  and (not e.get("latest_path") or relative_path(e["latest_path"])),
                  isinstance(e.get("outputs", {}), dict) and all(
                      isinstance(k, str) and relative_path(k) and isinstance(v, str)
                      for k, v in e.get("outputs", {}).items())]
        if not all(checks):
            raise ValueError("not an entry")
        e["status"] = Status(e["status"])
        if e.get("latest_run") is not None:
            e["latest_run"] = Status(e["latest_run"])
        return cls(**e)

    def to_json(self) -> dict:
        """The entry as manifest.json holds it (no empty ``latest_*``)."""
        out = asdict(self)
        for key in ("latest_run", "latest_error", "latest_path"):
            if not out[key]:
                del out[key]
        out["status"] = str(self.status)
        if self.latest_run is not None:
            out["latest_run"] = str(self.latest_run)
        return out

    def kept(self) -> RunEntry:
        """The entry without what a later run said about it (its reports stand)."""
        from dataclasses import replace

        return replace(self, latest_run=None, latest_error="", latest_path="")


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (empty for a file that is not there)."""
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def outputs_intact(out: Path, entry: RunEntry) -> bool:
    """Every file a run's entry recorded is in the reports folder ``out`` with the bytes it had (an entry of
    an older manifest, without digests: its notebook is there)."""
    if not entry.outputs:
        return (Path(out) / entry.path).is_file()
    return all(file_digest(Path(out) / rel) == digest for rel, digest in entry.outputs.items())
