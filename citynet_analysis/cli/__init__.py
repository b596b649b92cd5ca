"""The ``citynet-analysis`` command: ingest, validate, years, summary, batch, the checkout's notebook tools
(refresh-notebooks, new-notebook, …), and for an installed package ``notebooks copy`` and ``kernel install``.

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


def _folder_option(option: str, value: str | None) -> Path | None:
    """The folder an option names (None if not given), as given: a blank value, or one the file system
    refuses to look at (a name too long, a folder on the way that cannot be entered), is an InputError
    naming the option. One that does not exist is the command's to judge."""
    if value is None:
        return None
    if not value.strip():
        raise InputError(option, "must name a folder")
    path = Path(value)
    try:
        path.exists()  # False when missing; raises what else stat says
    except OSError as exc:
        raise InputError(option, f"{value}: cannot use it ({exc.strerror or exc})") from None
    return path


def cmd_ingest(args) -> int:
    from .. import config
    from ..dataset.store import dataset_target_problem, write_dataset
    from ..documents.ingest import build_dataset, raw_documents

    out = _folder_option("--out", args.out)
    out = Path(os.path.abspath(out)) if out is not None else config.default_ingest_out()
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

    ds = read(_folder_option("--data", args.data))
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

    full = read(_folder_option("--data", args.data))
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

    print(summary_text(load(_folder_option("--data", args.data), args.program)))
    return 0


def cmd_refresh_notebooks(args) -> int:
    import shlex

    from .. import config
    from ..reporting.batch.baselines import baseline_dir, refresh_baselines
    from ..reporting.batch.notebook_files import notebook_paths, one_step, refresh, to_git_add

    if not config.IN_REPOSITORY:
        raise InputError("refresh-notebooks", "works in a checkout of the repository only (an installed "
                                              "package's notebooks are not edited in place)")
    available = notebook_paths()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        raise InputError("notebooks/", f"unknown notebook(s) {', '.join(unknown)}; available: {', '.join(available)}")
    names = list(dict.fromkeys(args.names)) or list(available)
    with one_step():  # every notebook runs and the baselines are drawn before anything is written
        touched = refresh([available[n] for n in names])
        changes = None if args.no_baselines else refresh_baselines(names)
    for path in touched:
        print(f"refreshed {path.relative_to(config.REPO_DIR)} (stored tidied: text outputs, no images)")
    if changes is not None:
        where = baseline_dir().relative_to(config.REPO_DIR)
        for name in names:
            figures = changes.figures.get(name, [])
            print(f"baselines of {name}: {', '.join(figures) or 'no figures'} in {where}/<lang>/{name}/")
        print(f"baseline images: {len(changes.written)} written new or changed, {len(changes.removed)} removed")
        touched += changes.written + changes.removed
    pending = to_git_add(touched, config.REPO_DIR)
    repo = shlex.quote(str(config.REPO_DIR))  # the line works from any folder: git -C the checkout
    rel = [shlex.quote(os.path.relpath(os.path.abspath(p), config.REPO_DIR))
           for p in (touched if pending is None else pending)]
    if pending is None:
        print(f"files written or removed in {repo} (not a git checkout): " + " ".join(rel))
    elif rel:
        images = any(str(p).endswith(".png") for p in (touched if pending is None else pending))
        print(f"to commit{' (look at the changed images first)' if images else ''}: git -C {repo} add -- "
              + " ".join(rel))
    else:
        print("nothing to git add: the notebooks and baselines are as git has them")
    return 0


def cmd_tidy_notebooks(args) -> int:
    from .. import config
    from ..reporting.batch.notebook_files import notebook_paths, tidy_files

    if not args.files and not config.IN_REPOSITORY:
        raise InputError("tidy-notebooks", "name the notebooks to tidy (an installed package's notebooks are "
                                           "not edited in place)")
    def report(path: Path, what: str) -> None:
        print(f"tidied {os.path.relpath(path)}: {what} (git add it again)")

    changed = tidy_files([Path(f) for f in args.files] or list(notebook_paths().values()), report=report)
    return 1 if changed else 0  # pre-commit's convention: a hook that changed files fails the commit


def cmd_new_notebook(args) -> int:
    from .. import config
    from ..reporting.batch.notebook_files import new_notebook

    if args.notebooks_dir is None and not config.IN_REPOSITORY:
        raise InputError("--notebooks-dir", "name the folder to write the notebook in (an installed package's "
                                            "notebooks are not edited in place)")
    path = new_notebook(args.name, _folder_option("--notebooks-dir", args.notebooks_dir))
    print(f"wrote {path}: open it in JupyterLab; `bash tasks.sh test` checks it, "
          f"`citynet-analysis refresh-notebooks {args.name}` stores its outputs")
    return 0


def cmd_notebooks_copy(args) -> int:
    """Copy the package's notebooks into a folder, to edit them and run them with ``batch --notebooks-dir``;
    an existing file of the same name is refused (nothing is written), the folder is made if missing."""
    import shlex

    from ..atomic import copy_new_files
    from ..reporting.batch.notebook_files import notebook_paths

    if not args.dir.strip():
        raise InputError("DIR", "must name a folder")
    dest = Path(os.path.abspath(args.dir))
    sources = notebook_paths(config.NOTEBOOK_DIR)
    if not sources:
        raise InputError(str(config.NOTEBOOK_DIR), "holds no notebooks (*.ipynb) to copy")
    copied = copy_new_files(list(sources.values()), dest)
    print(f"copied {len(copied)} notebooks into {dest}: {', '.join(p.name for p in copied)}")
    print(f"edit them in JupyterLab (kernel: citynet-analysis kernel install), then run them with "
          f"citynet-analysis batch --notebooks-dir {shlex.quote(str(dest))}")
    return 0


def cmd_kernel_install(args) -> int:
    from .kernel_install import install_analyst_kernel

    option = "--sys-prefix" if args.sys_prefix else "--prefix" if args.prefix is not None else "--user"
    prefix = sys.prefix if args.sys_prefix else args.prefix
    if prefix is not None and not str(prefix).strip():
        raise InputError(option, "must name a folder")
    path = install_analyst_kernel(prefix, option)
    print(f"installed the Jupyter kernel {config.ANALYST_KERNEL!r} ({config.ANALYST_KERNEL_DISPLAY_NAME}) in "
          f"{path}: it runs {sys.executable}, with this package")
    where = ("the JupyterLab of that prefix lists it" if prefix is not None
             else "every JupyterLab of your user lists it")
    print(f"{where}: choose {config.ANALYST_KERNEL_DISPLAY_NAME!r} as a notebook's kernel; the batch runs "
          "notebooks on its own Python whichever kernel they were saved with")
    return 0


def cmd_batch(args) -> int:
    from ..reporting.batch import Interrupted, run_batch, summary_table

    notebook_dir = _folder_option("--notebooks-dir", args.notebooks_dir)
    if notebook_dir is not None:
        try:
            notebooks = notebook_dir.is_dir() and any(notebook_dir.glob("*.ipynb"))
        except OSError as exc:  # a folder that cannot be read
            raise InputError("--notebooks-dir", f"{notebook_dir}: cannot read it ({exc.strerror or exc})") from None
        if not notebooks:
            raise InputError("--notebooks-dir", f"{notebook_dir}: not a folder of notebooks (*.ipynb)")
    _folder_option("--out", args.out)
    data_dir = _folder_option("--data", args.data)
    figure_cache = None if args.no_figure_cache else _folder_option("--figure-cache", args.figure_cache)
    try:
        jobs = run_batch(years=args.years, notebooks=args.notebooks, data_dir=data_dir, out_dir=args.out,
                         jobs=args.jobs, lang=args.lang, progress=not args.no_progress, programs=args.programs,
                         force=args.force, notebook_dir=notebook_dir,
                         figure_cache=figure_cache,
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


class _CommandList(argparse.HelpFormatter):
    """``citynet-analysis --help``: every command on one line, with the first clause of its help (up to
    `` (`` or ``;``); its own ``--help`` has the rest."""

    def _split_lines(self, text, width):
        return [_first_clause(text)]

    def _format_action(self, action):
        if isinstance(action, argparse._SubParsersAction):  # the commands themselves, aligned with the options
            return self._join_parts([self._format_action(a) for a in action._get_subactions()])
        return super()._format_action(action)


def _first_clause(text: str) -> str:
    for stop in (" (", "; "):
        text = text.split(stop)[0]
    return " ".join(text.split())


DESCRIPTION = ("Seoul's CityNet budget documents (사업설명서) as validated tables, analysis notebooks and "
               "memo-ready reports.")
EPILOG = ("citynet-analysis COMMAND --help shows a command's options. Exit codes: 0 done, 1 a notebook of "
          "the batch failed, or tidy-notebooks changed a file (git add it again), "
          "2 bad input (one line naming the file or option), 3 a bug (--debug shows it).")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (the option and what is wrong), exit 2, like every other
    error a user can cause."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} ({self.prog} --help lists the options)\n")


def build_parser() -> argparse.ArgumentParser:
    from ..vocabulary import languages

    parser = _Parser(prog="citynet-analysis", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_CommandList)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
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
    p = sub.add_parser("batch", help="run the notebooks and publish the memo reports",
                       description="Run the notebooks for each program, fiscal year and language and publish "
                                   "their pages, memos and workbooks into the reports folder.")
    p.add_argument("--years", nargs="+", metavar="Y", help="fiscal years (default: every year in the data)")
    p.add_argument("--notebooks", nargs="+", metavar="NAME", help="notebook names (default: all)")
    p.add_argument("--notebooks-dir", metavar="DIR",
                   help="folder of the notebooks to run (default: the package's notebooks/)")
    p.add_argument("--programs", nargs="+", metavar="ID",
                   help="program ids, e.g. citynet wego (default: every program in the data set)")
    p.add_argument("--data", help="processed data folder (default: $CITYNET_DATA_DIR or data/processed)")
    p.add_argument("--out", default="reports", help="reports folder (default: reports)")
    p.add_argument("--jobs", type=int, help="notebooks run at once (default: one per core)")
    p.add_argument("--lang", default="ko", choices=languages(),
                   help="language of the reports: %(choices)s (default: %(default)s)")
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
    p = sub.add_parser("tidy-notebooks",
                       help="tidy notebooks for committing (no image data, no run timings); rewrites only those "
                            "that change, prints them and exits 1 if any did (a pre-commit hook)")
    p.add_argument("files", nargs="*", metavar="FILE", help="notebook files (default: the checkout's notebooks/)")
    p.set_defaults(func=cmd_tidy_notebooks)
    p = sub.add_parser("new-notebook", help="write a new analysis notebook that meets the notebook rules "
                                            "(both languages, the parameters cell, calls into the package)")
    p.add_argument("name", metavar="NAME", help="its name: lowercase letters, digits and _, e.g. 04_my_analysis")
    p.add_argument("--notebooks-dir", metavar="DIR",
                   help="folder to write it in (default: the checkout's notebooks/)")
    p.set_defaults(func=cmd_new_notebook)
    p = sub.add_parser("notebooks", help="copy the package's notebooks into a folder to edit and run",
                       description="The analysis notebooks the package carries (a wheel's bundled copy, or "
                                   "the checkout's notebooks/).")
    actions = p.add_subparsers(dest="notebooks_command", required=True, metavar="ACTION")
    a = actions.add_parser("copy", help="copy them into DIR (made if missing), to edit them and run them with "
                                        "batch --notebooks-dir DIR; an existing file is never overwritten",
                           description="Copy the package's notebooks into DIR (made if missing), to edit them "
                                       "in JupyterLab and run them with citynet-analysis batch --notebooks-dir "
                                       "DIR. A file of the same name in DIR is refused (exit 2, nothing copied).")
    a.add_argument("dir", metavar="DIR", help="the folder to copy them into")
    a.set_defaults(func=cmd_notebooks_copy)
    p = sub.add_parser("kernel", help="install a Jupyter kernel for your own JupyterLab (this environment's "
                                      f"Python, named {config.ANALYST_KERNEL})",
                       description=f"A Jupyter kernel named {config.ANALYST_KERNEL} that runs this "
                                   "environment's Python (with this package), for a JupyterLab installed "
                                   "elsewhere (another environment, conda).")
    actions = p.add_subparsers(dest="kernel_command", required=True, metavar="ACTION")
    a = actions.add_parser("install", help=f"install (or update) the kernel {config.ANALYST_KERNEL}",
                           description=f"Install the kernel spec {config.ANALYST_KERNEL} "
                                       f"({config.ANALYST_KERNEL_DISPLAY_NAME!r}), as python -m ipykernel "
                                       f"install --name {config.ANALYST_KERNEL} would; one this command "
                                       "installed is updated, any other of that name is refused (exit 2).")
    where = a.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="for your user, seen by every JupyterLab you run (the default)")
    where.add_argument("--sys-prefix", action="store_true",
                       help=f"into this environment ({sys.prefix}/share/jupyter/kernels)")
    where.add_argument("--prefix", metavar="DIR",
                       help="into DIR/share/jupyter/kernels, e.g. the prefix of the environment JupyterLab runs in")
    a.set_defaults(func=cmd_kernel_install)
    for command in sub._choices_actions:  # a command's own --help says what it does
        if sub.choices[command.dest].description is None:
            sub.choices[command.dest].description = command.help
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, said in one line)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
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
