"""Build step that pyproject.toml cannot say: a wheel carries the embedded data set, the reference series and
the notebooks, copied from the repository into ``citynet_analysis/bundled/`` (see citynet_analysis/config.py).
An editable install reads them from the repository itself.

Only what git tracks is bundled when the build runs in a git checkout (``pip wheel .``, ``pip install .``):
a scratch notebook lying untracked in notebooks/ stays out of the wheel, and out of an sdist made there
(``python -m build`` makes the sdist first, then the wheel from it). Built from an unpacked sdist (no .git),
the folders are bundled as they are: the sdist already holds only tracked files. A checkout where
``git ls-files`` fails stops the build rather than bundle whatever lies in the folders."""

import fnmatch
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
BUNDLED_PATHS = ("data/processed", "data/reference", "notebooks")
SKIP_PATTERNS = (".ipynb_checkpoints", "__pycache__", "*.pyc", "sanitize.cfg", ".*")
SKIP = shutil.ignore_patterns(*SKIP_PATTERNS)


def tracked_files(root: Path = ROOT) -> set[str] | None:
    """The files under :data:`BUNDLED_PATHS` that git tracks (POSIX paths relative to ``root``), or None
    when ``root`` is not a git checkout (an unpacked sdist)."""
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *BUNDLED_PATHS],
                             capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        raise SystemExit(f"setup.py: {root} is a git checkout, but `git ls-files` failed ({exc}; "
                         f"{detail.decode(errors='replace').strip()}): install git to build from it, so that "
                         "only tracked files are bundled") from None
    return {name for name in out.decode("utf-8", errors="surrogateescape").split("\0") if name}


def _bundled(rel: str, tracked: set[str] | None) -> bool:
    """Whether the file ``rel`` (under one of BUNDLED_PATHS) goes into a build."""
    parts = PurePosixPath(rel).parts
    if any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in SKIP_PATTERNS):
        return False
    return tracked is None or rel in tracked


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        tracked = tracked_files()
        target = Path(self.build_lib) / "citynet_analysis" / "bundled"
        for rel in BUNDLED_PATHS:
            dst = target / rel
            if dst.exists():
                shutil.rmtree(dst)
            if tracked is None:
                shutil.copytree(ROOT / rel, dst, ignore=SKIP)
                continue
            dst.mkdir(parents=True)
            for name in sorted(tracked):
                source = ROOT / name
                if PurePosixPath(name).is_relative_to(rel) and source.is_file() and _bundled(name, tracked):
                    copy = target / name
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, copy)


class SdistTracked(sdist):
    """MANIFEST.in grafts the bundled folders; from a git checkout only their tracked files go in."""

    def make_release_tree(self, base_dir, files):
        tracked = tracked_files()
        if tracked is not None:
            files = [f for f in files
                     if not any(PurePosixPath(Path(f).as_posix()).is_relative_to(rel) for rel in BUNDLED_PATHS)
                     or Path(f).as_posix() in tracked]
        super().make_release_tree(base_dir, files)


setup(cmdclass={"build_py": BuildPyWithData, "sdist": SdistTracked})
