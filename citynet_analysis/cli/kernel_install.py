"""``citynet-analysis kernel install``: a Jupyter kernel spec named ``citynet-analysis`` that runs this
environment's Python, for an analyst's own JupyterLab (one installed in another environment).

Jupyter lists every folder of ``…/share/jupyter/kernels/`` that holds a ``kernel.json`` as a kernel, so
nothing but the finished kernel spec is ever put there: the new one is built, and the one it replaces moved
aside, in the folder above (``…/share/jupyter/.citynet-analysis-kernel.new-<pid>-<random>``, ``….old-…``),
and each is moved in or out with one rename. What a killed install left there (its process is gone) is
cleaned up by the next one, also the folders an install of the earlier layout left inside ``kernels/``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ipykernel.kernelspec import write_kernel_spec

from ..atomic import clean_leftovers, remove_made_folders, temp_path
from ..config import ANALYST_KERNEL
from ..errors import InputError

#: What marks a kernel spec as installed by ``citynet-analysis kernel install``: a key of its kernel.json's
#: ``metadata`` (Jupyter keeps unknown metadata), so that a later install updates it and never replaces a
#: kernel spec of that name someone else installed.
KERNEL_SPEC_MARK = "citynet_analysis"
#: The name the install's temporaries carry, beside ``kernels/`` (never inside it).
STAGING_NAME = f"{ANALYST_KERNEL}-kernel"


def jupyter_dir(prefix: str | os.PathLike | None = None) -> Path:
    """The Jupyter data folder the kernel goes into: the user's (``jupyter --data-dir``, honouring
    $JUPYTER_DATA_DIR), or ``<prefix>/share/jupyter`` as ``jupyter kernelspec install --prefix`` does."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(os.path.abspath(prefix)) / "share" / "jupyter" if prefix is not None else Path(jupyter_data_dir())


def analyst_kernel_dir(prefix: str | os.PathLike | None = None) -> Path:
    """Where ``kernel install`` puts the analyst's kernel spec: ``<jupyter_dir>/kernels/citynet-analysis``."""
    return jupyter_dir(prefix) / "kernels" / ANALYST_KERNEL


def _installed_by_us(folder: Path) -> bool:
    import json

    try:
        meta = json.loads((folder / "kernel.json").read_text(encoding="utf-8")).get("metadata")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(meta, dict) and isinstance(meta.get(KERNEL_SPEC_MARK), dict)


def install_analyst_kernel(prefix: str | os.PathLike | None = None, option: str = "--prefix") -> Path:
    """Install the kernel spec :data:`~citynet_analysis.config.ANALYST_KERNEL` for this Python (what
    ``python -m ipykernel install --user --name citynet-analysis`` writes, marked as ours) into
    :func:`analyst_kernel_dir` and return that folder; ``option`` (``--user``, ``--prefix``, …) is what an
    InputError names. One an earlier install wrote is replaced (the new one keeps its permissions); anything
    else of that name, or a symbolic link there, is an InputError, and so is a folder that cannot be looked
    at or written (then nothing was changed)."""
    import platform

    from ipykernel.kernelspec import get_kernel_dict

    from ..config import ANALYST_KERNEL_DISPLAY_NAME, VERSION

    base = jupyter_dir(prefix)
    kernels, target = base / "kernels", analyst_kernel_dir(prefix)

    def cannot(exc: OSError, what: str = "write there") -> InputError:
        return InputError(option, f"{base}: cannot {what} ({exc.strerror or exc}); nothing was changed")

    try:
        if target.is_symlink():
            raise InputError(str(target), "is a symbolic link; nothing was changed (citynet-analysis installs "
                                          "its kernel as a folder: remove the link yourself to install it)")
        made = [d for d in (kernels, *kernels.parents) if not d.exists()]
    except OSError as exc:  # a name too long, a folder on the way that cannot be looked into
        raise cannot(exc, "use it") from None
    # as ipykernel's own install: no frozen modules on CPython, so that the debugger can step into them
    python_arguments = ["-Xfrozen_modules=off"] if platform.python_implementation() == "CPython" else None
    metadata = {**get_kernel_dict()["metadata"],
                KERNEL_SPEC_MARK: {"installed_by": "citynet-analysis kernel install", "version": VERSION}}
    new = old = None
    try:
        kernels.mkdir(parents=True, exist_ok=True)
        clean_leftovers(base, {STAGING_NAME}, originals={STAGING_NAME: target})
        clean_leftovers(kernels, {ANALYST_KERNEL})  # an install of the earlier layout built inside kernels/
        if target.exists() and not _installed_by_us(target):
            raise InputError(str(target), f"a kernel spec named {ANALYST_KERNEL} is there that citynet-analysis "
                                          "did not install; nothing was changed (remove it yourself to replace it)")
        new = temp_path(base / STAGING_NAME, "new")
        write_kernel_spec(new, overrides={"display_name": ANALYST_KERNEL_DISPLAY_NAME, "metadata": metadata},
                          python_arguments=python_arguments)
        if target.exists():
            os.chmod(new, target.stat().st_mode & 0o7777)
            old = temp_path(base / STAGING_NAME, "old")
            os.rename(target, old)
        try:
            os.rename(new, target)
        except OSError:
            if old is not None:
                os.rename(old, target)  # put the installed kernel back
                old = None
            raise
    except OSError as exc:
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
        remove_made_folders(made)  # only what this install made, and only if empty
        raise cannot(exc) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target
