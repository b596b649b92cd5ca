"""The one error type that bad input raises: it names the file and line, and the CLI prints it as one line."""

from __future__ import annotations


class InputError(Exception):
    """Input the pipeline cannot trust: a file, an optional line, and what is wrong."""

    def __init__(self, file: str, message: str, line: int | None = None):
        self.file = str(file)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class ValidationFailed(Exception):
    """Identities that make the numbers untrustworthy were broken; carries the error rows."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one line: its name and the first line of its message, without traceback or terminal
    colours (a notebook cell's error carries ``ename``/``evalue``)."""
    import re

    name = getattr(exc, "ename", None) or type(exc).__name__
    value = re.sub(r"\x1b\[[0-9;]*m", "", str(getattr(exc, "evalue", None) or exc)).strip().splitlines()
    return (f"{name}: {value[0]}" if value else name)[:limit]
