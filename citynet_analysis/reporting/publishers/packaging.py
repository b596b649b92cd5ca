"""Zip packages (.docx, .xlsx, .hwpx) that give the same bytes for the same content: entries in a fixed
order, dated the build date, with plain permissions. Used by the publishers that write a zip package."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

#: The entry an OOXML package (.docx, .xlsx) has first.
OOXML_FIRST = ("[Content_Types].xml",)
_ZIP_MIN, _ZIP_MAX = dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31, 23, 59, 58)


def normalize_zip(data: bytes, when: dt.datetime, first: Iterable[str] = (), sort: bool = True) -> bytes:
    """A zip file's bytes rewritten so that the same content gives the same bytes: the entries ``first``
    (those present, in that order) lead, then the others by name (``sort``) or in their order; every
    entry dated ``when`` (clamped to what zip can store, 1980–2107), with the permissions of a plain file
    (rw-r--r--) or folder, no extra fields and no comments; each entry keeps its compression (stored or
    deflated), so an uncompressed ``mimetype`` stays uncompressed."""
    when = min(max(when.replace(tzinfo=None, microsecond=0), _ZIP_MIN), _ZIP_MAX)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        if len({i.filename for i in infos}) != len(infos):
            raise ValueError("a zip entry name occurs twice")
        lead = [name for name in first if any(i.filename == name for i in infos)]
        rest = [i for i in infos if i.filename not in lead]
        if sort:
            rest.sort(key=lambda i: i.filename)
        ordered = [src.getinfo(name) for name in lead] + rest
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in ordered:
                entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
                entry.compress_type = info.compress_type
                entry.create_system = 3  # Unix, wherever it runs
                entry.external_attr = ((0o40755 if info.is_dir() else 0o100644) << 16) | (0x10 if info.is_dir() else 0)
                dst.writestr(entry, src.read(info))
    return out.getvalue()


