"""Repository-level pytest setup: nbval's sanitize file is opened when each notebook starts, after some
tests may have changed the working directory, so its path is made absolute here."""

from pathlib import Path


def pytest_configure(config):
    option = getattr(config.option, "nbval_sanitize_with", None)
    if option and not Path(option).is_absolute():
        config.option.nbval_sanitize_with = str((Path(config.rootpath) / option).resolve())
