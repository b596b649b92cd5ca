"""Build step that pyproject.toml cannot say: a wheel carries the embedded data set, the reference series and
the notebooks, copied from the repository into ``citynet_analysis/bundled/`` (see citynet_analysis/config.py).
An editable install reads them from the repository itself."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED_PATHS = ("data/processed", "data/reference", "notebooks")
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "sanitize.cfg", ".*")


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "citynet_analysis" / "bundled"
        for rel in BUNDLED_PATHS:
            dst = target / rel
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(root / rel, dst, ignore=SKIP)


setup(cmdclass={"build_py": BuildPyWithData})
