"""The notebook's part of a run key: what changes what runs (sources, tags, attachments, the language the
parameters are written in) changes it; what an editor records about a notebook's last run, its view, its
kernel or its Python (a conda user's JupyterLab saving the notebook) does not. Pure: no kernel."""

import copy
import json

import pytest

from citynet_analysis.reporting.batch import run_keys

from ..conftest import REPO

NOTEBOOK = REPO / "notebooks" / "01_budget_overview.ipynb"


def _digest(nb, tmp_path, name="nb.ipynb"):
    path = tmp_path / name
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return run_keys.notebook_digest(path)


@pytest.fixture()
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _code_cell(nb, tag=None):
    return next(c for c in nb["cells"] if c["cell_type"] == "code"
                and (tag is None or tag in c["metadata"].get("tags", [])))


def _saved_by_another_jupyterlab(nb):
    """What JupyterLab of a conda environment writes when it saves the notebook, code unchanged."""
    nb = copy.deepcopy(nb)
    nb["metadata"]["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3},
                                       "file_extension": ".py", "mimetype": "text/x-python", "name": "python",
                                       "nbconvert_exporter": "python", "pygments_lexer": "ipython3",
                                       "version": "3.11.9"}
    nb["metadata"]["kernelspec"] = {"display_name": "Python (citynet-analysis)", "language": "python",
                                    "name": "citynet-analysis"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    nb["nbformat_minor"] = 5
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
        cell["metadata"]["jupyter"] = {"source_hidden": False}
        if cell["cell_type"] == "code":
            cell["metadata"]["execution"] = {"iopub.execute_input": "2025-01-02T03:04:05.000Z",
                                             "shell.execute_reply": "2025-01-02T03:04:06.000Z"}
            cell["metadata"]["ExecuteTime"] = {"end_time": "2025-01-02T03:04:06.000Z"}
            cell["metadata"]["scrolled"] = True
            cell["metadata"]["collapsed"] = False
            cell["metadata"]["papermill"] = {"duration": 1.5, "status": "completed"}
            cell["execution_count"] = 40 + i
            cell["outputs"] = []
        if isinstance(cell["source"], str):  # JupyterLab writes a source as a list of lines
            cell["source"] = cell["source"].splitlines(keepends=True)
    return nb


def test_a_notebook_saved_by_another_python_and_jupyterlab_keeps_its_key(nb, tmp_path):
    assert _digest(_saved_by_another_jupyterlab(nb), tmp_path) == run_keys.notebook_digest(NOTEBOOK)


@pytest.mark.parametrize("change", [
    lambda nb: nb["metadata"]["language_info"].update(version="3.11.9"),
    lambda nb: nb["metadata"]["kernelspec"].update(display_name="Python 3.11 (conda)"),
    lambda nb: nb["metadata"]["kernelspec"].update(name="conda-env-citynet-py"),
    lambda nb: _code_cell(nb)["metadata"].update(execution={"shell.execute_reply": "2025-01-02T03:04:06Z"}),
    lambda nb: nb["cells"][0].update(id="a-new-id"),
    lambda nb: _code_cell(nb).update(execution_count=99, outputs=[]),
    lambda nb: nb["cells"][0]["metadata"].update(jupyter={"source_hidden": True}),
    lambda nb: nb.update(nbformat_minor=4),
    lambda nb: nb["metadata"].update(papermill={"parameters": {"fiscal_year": 2023}, "duration": 3.2}),
], ids=["python patch version", "kernel display name", "kernel name", "execution timing", "cell id", "outputs",
        "hidden source", "nbformat minor", "papermill record"])
def test_what_does_not_change_what_runs_keeps_the_key(nb, tmp_path, change):
    before = _digest(nb, tmp_path, "before.ipynb")
    change(nb)
    assert _digest(nb, tmp_path, "after.ipynb") == before


def _edit_a_source_line(nb):
    cell = _code_cell(nb, "parameters")
    source = "".join(cell["source"]).replace("fiscal_year = 2024", "fiscal_year = 2023")
    assert source != "".join(cell["source"])
    cell["source"] = source


@pytest.mark.parametrize("change", [
    _edit_a_source_line,
    lambda nb: nb["cells"][0]["metadata"].update(tags=["lang-en"]),
    lambda nb: _code_cell(nb, "parameters")["metadata"].update(tags=[]),
    lambda nb: nb["cells"].reverse(),
    lambda nb: nb["cells"][0].update(cell_type="raw"),
    lambda nb: nb["cells"][0].update(attachments={"chart.png": {"image/png": "iVBORw0KGgo="}}),
    lambda nb: nb["cells"][0]["metadata"].update(alt="a chart"),
    lambda nb: nb["metadata"]["language_info"].update(name="R"),
    lambda nb: nb["metadata"].update(title="My analysis"),
], ids=["source line", "language tag", "parameters tag", "cell order", "cell type", "attachment",
        "alt text", "language", "page title"])
def test_what_changes_what_runs_changes_the_key(nb, tmp_path, change):
    before = _digest(nb, tmp_path, "before.ipynb")
    change(nb)
    assert _digest(nb, tmp_path, "after.ipynb") != before


def test_a_changed_source_line_changes_only_the_notebook_part_of_the_run_key(nb, tmp_path):
    params = {"fiscal_year": 2024, "program": "citynet", "lang": "ko", "data_dir": "/data", "output_dir": "."}
    key, parts = run_keys.run_key("data-fingerprint", _digest(nb, tmp_path, "a.ipynb"), params)
    same_key, _ = run_keys.run_key("data-fingerprint", _digest(_saved_by_another_jupyterlab(nb), tmp_path,
                                                                 "b.ipynb"), params)
    _edit_a_source_line(nb)
    new_key, new_parts = run_keys.run_key("data-fingerprint", _digest(nb, tmp_path, "c.ipynb"), params)
    assert same_key == key and new_key != key
    assert run_keys.changed_parts(parts, new_parts) == ["notebook"]


def test_tags_are_a_set(nb, tmp_path):
    nb["cells"][0]["metadata"]["tags"] = ["lang-ko", "instructions"]
    before = _digest(nb, tmp_path, "before.ipynb")
    nb["cells"][0]["metadata"]["tags"] = ["instructions", "lang-ko"]
    assert _digest(nb, tmp_path, "after.ipynb") == before


def test_the_environment_part_keeps_the_python_patch_version(monkeypatch):
    """Honest about the interpreter: the batch's kernels run on this Python (kernels.kernel_specs), so a
    batch run from another patch version re-runs its notebooks."""
    import platform

    run_keys.environment_digest.cache_clear()
    first = run_keys.environment_digest()
    monkeypatch.setattr(platform, "python_version", lambda: "3.11.99")
    run_keys.environment_digest.cache_clear()
    try:
        assert run_keys.environment_digest() != first
    finally:
        monkeypatch.undo()
        run_keys.environment_digest.cache_clear()
