"""The batch (the ``batch`` command): arguments (:mod:`.arguments`) → plan (:mod:`.plan`, keyed by
:mod:`.run_keys`) → execute (:mod:`.execute` on :mod:`.kernels`) → publish and the manifest (:mod:`.run`,
:mod:`.manifest`); :mod:`.summary` for the terminal. Also the checkout's refresh tools
(:mod:`.notebook_files`, :mod:`.baselines`), which run notebooks the same way."""

from __future__ import annotations

from .execute import Interrupted
from .jobs import Job, YearFolder
from .run import run_batch
from .summary import summary_table

__all__ = ["Interrupted", "Job", "YearFolder", "run_batch", "summary_table"]
