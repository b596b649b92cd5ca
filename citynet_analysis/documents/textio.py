"""Reading a raw document: bytes to normalised text whatever the encoding and line ends."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ..errors import InputError

ENCODINGS = ("utf-8-sig", "cp949")  # cp949 is a superset of EUC-KR


def decode(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or CP949/EUC-KR; normalise CRLF/CR to LF and the text to NFC
    (macOS writes decomposed Hangul, NFD, in which no keyword of ours would be found)."""
    if not data.strip():
        raise InputError(name, "file is empty")
    if b"\x00" in data:
        raise InputError(name, "not a text document (binary content)")
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(name, "not a text document in UTF-8 or CP949/EUC-KR")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t")
    if bad > max(3, len(text) // 1000):
        raise InputError(name, "not a text document (control characters)")
    # the few stray control characters a PDF/HWP extraction leaves are not text: a space in their place,
    # so that no terminal escape or character a spreadsheet refuses ever reaches a table
    return _CONTROL.sub(" ", text)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")  # and the non-characters XML refuses


def read_document(path: str | Path) -> str:
    """Read and decode one raw document; a missing or unreadable path is an InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "no such file")
    if p.is_dir():
        raise InputError(str(path), "is a folder, not a document")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    return decode(data, str(path))


def text_sha256(text: str) -> str:
    """Hash of the normalised text (UTF-8, LF, NFC), so that encodings of one document share an identity."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
