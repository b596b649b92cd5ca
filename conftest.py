"""Repository-level pytest setup, for nbval's notebook runs.

- nbval's sanitize file is opened when each notebook starts, after some tests may have changed the working
  directory, so its path is made absolute here.
- A notebook's kernel starts as the batch's do (``citynet_analysis/reporting/batch/kernels.py``): it may
  take ``config.KERNEL_STARTUP_TIMEOUT_S`` to answer (unless ``--nbval-kernel-startup-timeout`` is
  given), and a start that fails (no answer in time, the kernel "died before replying", e.g. it lost a
  port to another worker's kernel, or its IOPub channel never came up) is tried exactly once more, with a
  :class:`KernelStartRetried` warning naming the notebook in pytest's warnings summary. A second failure
  fails the notebook's cells with one error naming the notebook. nbval 0.11 starts its kernel in
  ``IPyNbFile.setup`` with ``nbval.plugin.RunningKernel``: the first is wrapped (:func:`notebook_setup`),
  the second replaced by a subclass (:class:`TidyKernel`).
- A committed notebook is stored without image data (``tidy-notebooks``, ``refresh-notebooks``), so nbval
  does not compare the image types the tidy step strips (``notebook_files.IMAGE_MIMETYPES``, one list for
  both): nbval 0.11 skips only ``image/png`` and ``image/jpeg`` (``IPyNbFile.skip_compare``), and a notebook
  that shows an SVG or a PDF would otherwise fail once tidied. :func:`notebook_setup` adds the others to
  each notebook's ``skip_compare``; nothing else of nbval changes."""

from __future__ import annotations

import contextlib
import os
import shlex
import warnings
from pathlib import Path

from citynet_analysis import config as ca_config
from citynet_analysis.errors import one_line
from citynet_analysis.reporting.batch.kernels import KernelNotStarted, start_with_one_retry
from citynet_analysis.reporting.batch.notebook_files import IMAGE_MIMETYPES

try:
    from nbval import plugin as nbval_plugin
    from nbval.kernel import RunningKernel
except ImportError:  # nbval is a dev extra
    nbval_plugin = None
    RunningKernel = object

STARTUP_TIMEOUT_OPTION = "--nbval-kernel-startup-timeout"


class KernelStartRetried(UserWarning):
    """A notebook's kernel did not start at first and was started once more."""


class TidyKernel(RunningKernel):
    """nbval's kernel, whose start failures are :class:`KernelNotStarted` (still a ``RuntimeError``, as
    nbval raises) and which stops the kernel it started when its start fails half way (nbval leaves it
    running when the IOPub channel never comes up)."""

    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
        except RuntimeError as exc:
            self._stop_quietly()
            raise KernelNotStarted(one_line(exc).removeprefix("RuntimeError: ")) from exc
        except BaseException:
            self._stop_quietly()
            raise

    def _stop_quietly(self) -> None:
        if hasattr(self, "km") and hasattr(self, "kc"):
            with contextlib.suppress(Exception):
                self.stop()


def notebook_setup(node) -> None:
    """``IPyNbFile.setup`` (start the notebook's kernel, read the sanitize file), once more when the kernel
    did not start, with the image types a stored notebook leaves out added to the outputs nbval does not
    compare. Set on nbval's class rather than on a subclass: nbval's ``__init__`` calls
    ``super(IPyNbFile, self)`` by the module's name."""
    node.skip_compare = tuple(dict.fromkeys((*node.skip_compare, *IMAGE_MIMETYPES)))
    start_with_one_retry(lambda: _ORIGINAL["setup"](node), f"the kernel of {node.nodeid}", notify=_warn)


def _warn(line: str) -> None:
    warnings.warn(KernelStartRetried(line), stacklevel=2)


def _option_given(config, flag: str) -> bool:
    """Whether ``flag`` is on the command line, in $PYTEST_ADDOPTS or in the ini file's addopts."""
    args = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", "")),
            *config.getini("addopts")]
    return any(str(a) == flag or str(a).startswith(flag + "=") for a in args)


_ORIGINAL: dict[str, object] = {}


def pytest_configure(config):
    option = getattr(config.option, "nbval_sanitize_with", None)
    if option and not Path(option).is_absolute():
        config.option.nbval_sanitize_with = str((Path(config.rootpath) / option).resolve())
    if nbval_plugin is None:
        return
    if not _option_given(config, STARTUP_TIMEOUT_OPTION):
        config.option.nbval_kernel_startup_timeout = float(ca_config.KERNEL_STARTUP_TIMEOUT_S)
    if not _ORIGINAL:
        _ORIGINAL.update(setup=nbval_plugin.IPyNbFile.setup, RunningKernel=nbval_plugin.RunningKernel)
    nbval_plugin.IPyNbFile.setup = notebook_setup
    nbval_plugin.RunningKernel = TidyKernel


def pytest_unconfigure(config):
    if nbval_plugin is not None and _ORIGINAL:
        nbval_plugin.IPyNbFile.setup = _ORIGINAL["setup"]
        nbval_plugin.RunningKernel = _ORIGINAL["RunningKernel"]
        _ORIGINAL.clear()
