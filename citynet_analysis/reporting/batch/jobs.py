"""What the batch works on: a unit (one program's fiscal year and its folder) and a job (one notebook of a
unit, and how its run went)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..runs import RunEntry, Status


class Rerun(StrEnum):
    """Why a job runs other than a changed key part (those are named by :data:`.run_keys.PARTS`)."""

    FORCED = "forced"
    FIRST = "no earlier run"
    OUTPUTS_MISSING = "outputs missing"  # or changed: a recorded file is not there with its bytes


@dataclass(frozen=True)
class YearFolder:
    """One program's fiscal year and the folder of the reports folder its reports go to."""

    program: str
    year: int
    folder: str  # its reports' name (config.report_name): "citynet_2024_ko"


@dataclass
class Job:
    """One notebook for one program and fiscal year, and how it went."""

    year: int
    notebook: str
    program: str = ""
    folder: str = ""  # where its year's reports go, relative to the reports folder (default: the year)
    status: Status = Status.PENDING
    seconds: float = 0.0  # papermill run plus HTML export
    execute_seconds: float = 0.0  # the papermill run alone (kernel start to shutdown)
    error: str = ""
    path: str = ""  # where the executed notebook is (relative to the reports folder)
    key: str = ""
    data_fingerprint: str = ""  # the program's data the run is planned for (its notebook's load() checks it)  # what the run depends on (:mod:`.run_keys`)
    key_parts: dict = field(default_factory=dict)
    rerun_because: list = field(default_factory=list)  # key parts changed since the last good run, or a Rerun

    def __post_init__(self):
        self.folder = self.folder or str(self.year)
        self.status = Status(self.status)


    def entry(self, lang: str) -> RunEntry:
        """The job as a manifest entry."""
        return RunEntry(year=self.year, notebook=self.notebook, path=self.path, status=self.status,
                        program=self.program, folder=self.folder, seconds=self.seconds,
                        execute_seconds=self.execute_seconds, error=self.error, key=self.key,
                        key_parts=dict(self.key_parts), lang=lang)
