"""The batch (the ``batch`` command): arguments (:mod:`.arguments`) → plan (:mod:`.plan`, keyed by
:mod:`.run_keys`) → execute (:mod:`.execute` on :mod:`.kernels`) → publish and the manifest (:mod:`.run`,
:mod:`.manifest`); :mod:`.summary` for the terminal. Also the checkout's refresh tools
(:mod:`.notebook_files`, :mod:`.baselines`), which run notebooks the same way."""

from __future__ import annotations

from .execute import Interrupted
from .jobs import Job, Unit
from .run import run_batch
from .summary import summary_table

__all__ = ["Interrupted", "Job", "Unit", "run_batch", "summary_table"]
