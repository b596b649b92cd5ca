import contextlib
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RAW_2024 = REPO / "data" / "raw" / "seoul_citynet_budget_explanation_2024.txt"
VARIANT_2025 = REPO / "tests" / "fixtures" / "citynet_fy2025_variant.txt"
PROCESSED = REPO / "data" / "processed"
WEGO_2024 = REPO / "tests" / "fixtures" / "wego_fy2024.txt"  # a second program, written for the tests


@pytest.fixture(scope="session", autouse=True)
def user_cache_untouched(tmp_path_factory):
    """The tests never write into the user's cache folder: every run (and every CLI the tests start) sees
    its own XDG_CACHE_HOME."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg_cache")))
        yield


@pytest.fixture(scope="session")
def text_2024() -> str:
    return RAW_2024.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def text_2025() -> str:
    return VARIANT_2025.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parsed_2024(text_2024):
    from citynet_analysis.documents.parser import parse_document

    return parse_document(text_2024, "fy2024.txt")


@pytest.fixture(scope="session")
def dataset_2024(tmp_path_factory):
    """The 2024 document ingested into a fresh folder (not the committed one)."""
    from citynet_analysis.documents.ingest import build_dataset

    out = tmp_path_factory.mktemp("processed")
    return build_dataset([RAW_2024], relative_to=out)


@pytest.fixture(scope="session")
def processed_2024(tmp_path_factory):
    """A processed data set made from the 2024 document alone: tests that pin its hand-checked figures
    use it, so that adding next year's document to data/raw does not touch them."""
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    out = tmp_path_factory.mktemp("fy2024") / "processed"
    write_dataset(build_dataset([RAW_2024], relative_to=out), out)
    return out


@pytest.fixture(scope="session")
def ds_2024(processed_2024):
    from citynet_analysis import load

    return load(processed_2024)


@pytest.fixture()
def no_kernels(monkeypatch):
    """Fail the test if anything tries to start a kernel or run a notebook."""
    import papermill

    from citynet_analysis.reporting.batch import kernels

    def boom(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    monkeypatch.setattr(kernels, "start_kernel", boom)


@pytest.fixture(scope="session")
def processed_two_programs(tmp_path_factory):
    """CityNet's 2024 document and the WeGO fixture (another program, same year) in one data set."""
    from citynet_analysis.dataset.store import write_dataset
    from citynet_analysis.documents.ingest import build_dataset

    out = tmp_path_factory.mktemp("two") / "processed"
    write_dataset(build_dataset([RAW_2024, WEGO_2024], relative_to=out), out)
    return out


# -- the quick loop: `pytest -m "not slow"` starts no kernel, no process and no batch -----------------------
#: The fixtures that run whole batches: a test that takes one is slow whatever it does itself.
BATCH_FIXTURES = {"batch_ko", "batch_en", "hostile_reports"}
#: Processes a quick test may start: matplotlib asks fontconfig for the fonts once per fresh font cache.
CHEAP_PROGRAMS = {"fc-list"}


def pytest_collection_modifyitems(config, items):
    """Mark slow what is slow by construction: nbval's notebook cells (each notebook runs on a kernel) and
    tests that take a whole batch."""
    for item in items:
        if not isinstance(item, pytest.Function) or BATCH_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


@contextlib.contextmanager
def _no_process(item):
    """While a test without the slow marker sets up (its fixtures included) and runs, starting
    a process (a kernel, the CLI as a program, a batch's kernels, a browser) fails it, saying so: the quick
    loop stays quick and `-m "not slow"` honest."""
    if isinstance(item, pytest.Function) and item.get_closest_marker("slow") is None:
        start = subprocess.Popen.__init__

        def refuse(self, args, *rest, **kwargs):
            program = Path(str(args[0] if isinstance(args, (list, tuple)) else args).split()[0]).name
            if program in CHEAP_PROGRAMS:
                return start(self, args, *rest, **kwargs)
            raise AssertionError(f"this test starts a process ({str(args)[:80]}): mark it @pytest.mark.slow")

        subprocess.Popen.__init__ = refuse
        try:
            yield
        finally:
            subprocess.Popen.__init__ = start
    else:
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _no_process(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _no_process(item):
        yield
