"""The ``citynet-analysis`` command: ingest, validate, years, summary, batch, refresh-notebooks, new-notebook.

Bad input ends with exit code 2 and a few lines on stderr naming the file and line; ``--debug`` adds the
traceback. Nothing is written unless the whole run succeeded."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from .. import config
from ..errors import InputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
MAX_ERROR_LINES = 5


def _print_errors(lines: list[str]) -> None:
    for line in lines[:MAX_ERROR_LINES]:
        print(f"citynet-analysis: error: {line}", file=sys.stderr)
    if len(lines) > MAX_ERROR_LINES:
        print(f"citynet-analysis: … and {len(lines) - MAX_ERROR_LINES} more", file=sys.stderr)


def cmd_ingest(args) -> int:
    from .. import config
    from ..dataset.store import dataset_target_problem, write_dataset
    from ..documents.ingest import build_dataset, raw_documents

    if args.out is not None and not args.out.strip():
        raise InputError("--out", "must name a folder")
    out = Path(os.path.abspath(args.out)) if args.out is not None else config.default_ingest_out()
    if out is None:
        raise InputError("--out", "an installed package has no data folder of its own; name one with --out")
    if not args.raw and config.RAW_DIR is None:
        raise InputError("ingest", "name the documents to ingest (an installed package has no data/raw)")
    paths = [Path(p) for p in args.raw] or raw_documents(config.RAW_DIR)
    if not paths:
        raise InputError(str(config.RAW_DIR), "no documents (*.txt) to ingest")
    problem = dataset_target_problem(out, tuple(paths))  # before the work, and again before the write
    if problem:
        raise InputError("--out", f"{out}: {problem}")
    tables = build_dataset(paths, relative_to=out, strict=args.strict)
    write_dataset(tables, out, inputs=tuple(paths))
    found = tables["anomalies"]
    errors = found[found["severity"] == "error"]
    print(f"ingested {len(tables['documents'])} document(s) into {out}: "
          + ", ".join(f"{n} {len(df)}" for n, df in tables.items() if n != "documents")
          + f"; {len(errors)} error(s), {int((found['severity'] == 'warning').sum())} warning(s)")
    if len(errors):
        files = dict(zip(tables["documents"]["document_id"], tables["documents"]["source_file"], strict=True))
        print(f"citynet-analysis: {len(errors)} error(s) in the documents: figures they print disagree; kept as "
              "printed and flagged in every report (ingest --strict refuses them):", file=sys.stderr)
        for a in errors.head(MAX_ERROR_LINES).itertuples():
            line = "" if a.source_line is None or a.source_line != a.source_line else f":{a.source_line}"
            print(f"  {files.get(a.document_id, a.document_id)}{line}: {a.message}", file=sys.stderr)
        if len(errors) > MAX_ERROR_LINES:
            print(f"  … and {len(errors) - MAX_ERROR_LINES} more (citynet-analysis validate lists them)", file=sys.stderr)
    return 0


def cmd_validate(args) -> int:
    from ..dataset.load import read
    from ..dataset.validate import dataset_errors

    ds = read(args.data)
    errors = dataset_errors(ds)
    an = ds.anomalies
    print(f"{ds.path}: {len(ds.documents)} document(s) of {len(ds.programs())} program(s) "
          f"({', '.join(ds.programs()) or '-'}); anomalies: "
          + ", ".join(f"{(an['severity'] == s).sum()} {s}" for s in ("error", "warning", "info")))
    for _, a in an.iterrows():
        line = "" if a.isna()["source_line"] else f":{a['source_line']}"
        print(f"  {a['severity']:7} {a['document_id']}{line} [{a['check']}] {a['message']}")
    if errors:
        _print_errors(errors)
        return EXIT_BAD_INPUT
    return 0


def cmd_years(args) -> int:
    from ..dataset.load import read

    full = read(args.data)
    for program in full.programs() or [None]:
        ds = full.select(program)
        if program is not None and len(full.programs()) > 1:
            print(f"[{program}]")
        for name, df in ds.tables().items():
            if "fiscal_year" in df:
                years = sorted(int(y) for y in df["fiscal_year"].dropna().unique())
                print(f"{name:14} {' '.join(map(str, years)) if years else '-'}")
    return 0


def cmd_summary(args) -> int:
    from ..dataset.load import load
    from .summary import summary_text

    print(summary_text(load(args.data, args.program)))
    return 0


def cmd_refresh_notebooks(args) -> int:
    from .. import config
    from ..reporting.batch.baselines import baseline_dir, refresh_baselines
    from ..reporting.batch.notebook_files import notebook_paths, refresh

    if not config.IN_REPOSITORY:
        raise InputError("refresh-notebooks", "works in a checkout of the repository only (an installed "
                                              "package's notebooks are not edited in place)")
    available = notebook_paths()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        raise InputError("notebooks/", f"unknown notebook(s) {', '.join(unknown)}; available: {', '.join(available)}")
    for path in refresh([available[n] for n in (args.names or available)]):
        print(f"refreshed {path.relative_to(path.parent.parent)}")
    if not args.no_baselines:
        written = refresh_baselines()
        print(f"refreshed {len(written)} baseline figure(s) in {baseline_dir().relative_to(config.REPO_DIR)}/")
    return 0

def cmd_new_notebook(args) -> int:
    from .. import config
    from ..reporting.batch.notebook_files import new_notebook

    if args.notebooks_dir is None and not config.IN_REPOSITORY:
        raise InputError("--notebooks-dir", "name the folder to write the notebook in (an installed package's "
                                            "notebooks are not edited in place)")
    path = new_notebook(args.name, args.notebooks_dir)
    print(f"wrote {path}: open it in JupyterLab; `bash tasks.sh test` checks it, "
          f"`citynet-analysis refresh-notebooks {args.name}` stores its outputs")
    return 0


def cmd_batch(args) -> int:
    from ..reporting.batch import Interrupted, run_batch, summary_table

    notebook_dir = None
    if args.notebooks_dir is not None:
        notebook_dir = Path(args.notebooks_dir)
        if not notebook_dir.is_dir() or not any(notebook_dir.glob("*.ipynb")):
            raise InputError("--notebooks-dir", f"{notebook_dir}: not a folder of notebooks (*.ipynb)")
    try:
        jobs = run_batch(years=args.years, notebooks=args.notebooks, data_dir=args.data, out_dir=args.out,
                         jobs=args.jobs, lang=args.lang, progress=not args.no_progress, programs=args.programs,
                         force=args.force, notebook_dir=notebook_dir,
                         figure_cache=None if args.no_figure_cache else Path(args.figure_cache),
                         wait=not args.no_wait)
    except Interrupted as exc:
        # kernels are stopped and the staging folder is gone; worker threads may still be unwinding a
        # dead kernel's connection, so leave now rather than wait for them
        print(f"citynet-analysis: {exc}; no reports were changed", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(128 + exc.signum)
    print(summary_table(jobs))
    ok = sum(j.status.published for j in jobs)
    print(f"{ok} of {len(jobs)} notebook runs succeeded or up to date; reports in {args.out}/ (index.html)")
    return 0 if ok == len(jobs) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citynet-analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="parse raw documents into validated tables")
    p.add_argument("raw", nargs="*", help="documents (default: every *.txt in data/raw)")
    p.add_argument("--out", help="output folder (default: data/processed)")
    p.add_argument("--strict", action="store_true",
                   help="exit 2 on any error anomaly (figures a document prints that disagree) instead of "
                        "keeping them flagged")
    p.set_defaults(func=cmd_ingest)
    for name, func, text in (("validate", cmd_validate, "re-check a processed data set, print its anomalies"),
                             ("years", cmd_years, "list the fiscal years in each table"),
                             ("summary", cmd_summary, "print a summary of the data set")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--data", help="processed data folder (default: $CITYNET_DATA_DIR or data/processed)")
        if name == "summary":
            p.add_argument("--program", help="program id (default: the only program in the data set)")
        p.set_defaults(func=func)
    p = sub.add_parser("batch", help="run the notebooks for each fiscal year and export the memo reports")
    p.add_argument("--years", nargs="+", metavar="Y", help="fiscal years (default: every year in the data)")
    p.add_argument("--notebooks", nargs="+", metavar="NAME", help="notebook names (default: all)")
    p.add_argument("--notebooks-dir", metavar="DIR",
                   help="folder of the notebooks to run (default: the package's notebooks/)")
    p.add_argument("--programs", nargs="+", metavar="ID",
                   help="program ids, e.g. citynet wego (default: every program in the data set)")
    p.add_argument("--data", help="processed data folder (default: $CITYNET_DATA_DIR or data/processed)")
    p.add_argument("--out", default="reports", help="reports folder (default: reports)")
    p.add_argument("--jobs", type=int, help="notebooks run at once (default: one per core)")
    p.add_argument("--lang", default="ko", help="ko or en (default: ko)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--figure-cache", metavar="DIR", default=str(config.figure_cache_dir()),
                   help="where rendered figures are kept by content to save time "
                        "(default: %(default)s)")
    p.add_argument("--no-figure-cache", action="store_true", help="render every figure")
    p.add_argument("--no-wait", action="store_true",
                   help="exit (2) instead of waiting when another batch is writing the same --out")
    p.add_argument("--force", action="store_true",
                   help="re-run every notebook, also those whose data, code, parameters and environment are "
                        "unchanged since their last successful run")
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("refresh-notebooks",
                       help="re-execute notebooks in place with their default parameters (updates stored outputs) "
                            "and re-draw the baseline memo figures the tests compare")
    p.add_argument("names", nargs="*", help="notebook names, e.g. 01_budget_overview (default: all)")
    p.add_argument("--no-baselines", action="store_true",
                   help="do not re-draw the baseline memo figures under tests/reporting/baseline")
    p.set_defaults(func=cmd_refresh_notebooks)
    p = sub.add_parser("new-notebook", help="write a new thin analysis notebook that meets the notebook rules "
                                            "(both languages, the parameters cell, calls into the package)")
    p.add_argument("name", metavar="NAME", help="its name: lowercase letters, digits and _, e.g. 04_my_analysis")
    p.add_argument("--notebooks-dir", metavar="DIR",
                   help="folder to write it in (default: the checkout's notebooks/)")
    p.set_defaults(func=cmd_new_notebook)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..errors import ValidationFailed

    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:  # the reader went away (`validate | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except InputError as exc:
        if args.debug:
            traceback.print_exc()
        _print_errors([str(exc)])
        return EXIT_BAD_INPUT
    except ValidationFailed as exc:
        if args.debug:
            traceback.print_exc()
        _print_errors(exc.errors)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless --debug
        if args.debug:
            traceback.print_exc()
        print(f"citynet-analysis: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL
