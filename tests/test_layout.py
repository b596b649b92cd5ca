"""The package's shape: wings that follow the pipeline, none importing a wing above it (the data set's
contract at the bottom; documents write it, analysis reads it, reporting presents both, cli on top), and
no import cycle."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "citynet_analysis"
# A wing may import the shared root modules and the wings listed for it.
ALLOWED = {
    "documents": {"dataset"},
    "dataset": set(),
    "analysis": {"dataset"},
    "reporting": {"analysis", "dataset"},
}
ROOT_MODULES = {"config", "errors", "atomic", "vocabulary"}


def _imports(path: Path) -> set[str]:
    """Modules of the package that a file imports, as dotted names relative to the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel_parts = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(rel_parts[: len(rel_parts) - node.level])
            mod = base + (node.module.split(".") if node.module else [])
            if node.module is None:
                found |= {".".join(mod + [a.name]) for a in node.names}
            else:
                found.add(".".join(mod))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("citynet_analysis"):
            module = node.module.removeprefix("citynet_analysis").lstrip(".")
            found |= {f"{module}.{a.name}".lstrip(".") for a in node.names} if not module else {module}
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("citynet_analysis.") for a in node.names
                      if a.name.startswith("citynet_analysis.")}
    return found


def _modules() -> dict[str, set[str]]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if "bundled" in path.parts:
            continue
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        out[name] = _imports(path)
    return out


MODULES = _modules()


def _module_of(name: str) -> str:
    """The module an import names (``dataset`` for ``from ..dataset import checks`` is its package)."""
    return name if name in MODULES or f"{name}.__init__" not in MODULES else f"{name}.__init__"


@pytest.mark.parametrize("wing", sorted(ALLOWED))
def test_wings_import_only_from_the_wings_before_them(wing):
    for name, imports in MODULES.items():
        if not name.startswith(wing + "."):
            continue
        for imp in imports:
            top = imp.split(".")[0]
            assert top == wing or top in ROOT_MODULES or top in ALLOWED[wing], f"{name} imports {imp}"


def test_root_modules_import_no_wing():
    for name in ROOT_MODULES:
        assert {i.split(".")[0] for i in MODULES[name]} <= ROOT_MODULES, name


def test_no_import_cycle():
    graph = {m: {_module_of(i) for i in imps if _module_of(i) in MODULES} for m, imps in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(path + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])


def test_no_module_named_for_nothing():
    names = {Path(n.replace(".", "/")).name for n in MODULES}
    assert not names & {"memo", "frames", "utils", "helpers", "misc"}


# reporting/ by where its code runs: what notebooks import (the kernel side), the batch, and the publishers
ROOMS = ("reporting.notebook", "reporting.batch", "reporting.publishers")


def _room(name: str) -> str | None:
    return next((r for r in ROOMS if name == r or name.startswith(r + ".")), None)


def _reporting_imports(name: str) -> set[str]:
    return {_module_of(i).removesuffix(".__init__") for i in MODULES[name] if i.startswith("reporting")}


def test_every_reporting_module_is_in_a_room():
    loose = [n for n in MODULES if n.startswith("reporting.") and _room(n) is None
             and n not in ("reporting.__init__", "reporting.runs")]
    assert not loose, f"reporting modules outside notebook/, batch/ and publishers/: {loose}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _room(n) == "reporting.notebook"))
def test_the_kernel_side_imports_neither_the_batch_nor_the_publishers(name):
    for imp in _reporting_imports(name):
        assert _room(imp) not in ("reporting.batch", "reporting.publishers"), f"{name} imports {imp}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _room(n) == "reporting.publishers"))
def test_publishers_do_not_import_the_batch(name):
    for imp in _reporting_imports(name):
        assert _room(imp) != "reporting.batch", f"{name} imports {imp}"


def test_every_publisher_is_registered_once():
    """A module of publishers/ that defines a PUBLISHER is one output format, registered once under its
    module's name; the others (the outline, packaging, the Publisher type) are shared helpers."""
    import importlib

    from citynet_analysis.reporting.publishers import PUBLISHERS

    modules = [importlib.import_module(f"citynet_analysis.{n}") for n in MODULES
               if n.startswith("reporting.publishers.") and not n.endswith("__init__")]
    formats = {m.__name__.rsplit(".", 1)[-1]: m.PUBLISHER for m in modules if hasattr(m, "PUBLISHER")}
    assert sorted(p.name for p in PUBLISHERS) == sorted(formats)
    assert all(PUBLISHERS.count(p) == 1 for p in formats.values())
