#!/usr/bin/env bash
# One entry point for the README's quickstart: installs what it needs into .venv, then runs.
#   bash tasks.sh reports   ingest data/raw, validate, and produce the reports for every fiscal year
#   bash tasks.sh test      lint (ruff) and the whole test suite (unit tests + notebooks with nbval)
#   bash tasks.sh install   only (re)install the environment (and, in a git checkout, nbdime's git drivers)
#   bash tasks.sh git-setup only configure git in this checkout to diff and merge notebooks with nbdime
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=.venv

install() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  # reinstall when the pins or the project metadata changed since the last install
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ constraints.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "tasks.sh: installing the pinned environment (constraints.txt) and this package into $VENV with pip;" \
         "the first time takes about 75 s, later only when constraints.txt or pyproject.toml changed" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
    touch "$stamp"
  fi
  git_setup
}

# Notebook-aware `git diff` and merges in this checkout only (never --global): the diff and merge drivers
# that `nbdime config-git --enable` registers, written with the venv's absolute paths so that git finds
# them without an activated venv. The committed .gitattributes routes *.ipynb to them; where they are not
# configured (CI, a fresh clone) git uses its plain diff. Nothing happens outside a git checkout.
git_setup() {
  local top
  top=$(git rev-parse --show-toplevel 2>/dev/null) || return 0
  [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ] || return 0  # inside another project's repository: not ours
  if [ ! -x "$VENV/bin/git-nbdiffdriver" ]; then
    echo "tasks.sh: nbdime is not installed in $VENV yet: run bash tasks.sh install" >&2
    return 0
  fi
  local bin diff merge
  bin="$(pwd -P)/$VENV/bin"
  diff="'$bin/git-nbdiffdriver' diff"
  merge="'$bin/git-nbmergedriver' merge %O %A %B %L %P"
  if [ "$(git config --local --get diff.jupyternotebook.command || true)" != "$diff" ] \
     || [ "$(git config --local --get merge.jupyternotebook.driver || true)" != "$merge" ]; then
    git config --local diff.jupyternotebook.command "$diff"
    git config --local merge.jupyternotebook.name "jupyter notebook merge driver (nbdime)"
    git config --local merge.jupyternotebook.driver "$merge"
    echo "tasks.sh: git in this checkout now diffs and merges notebooks cell by cell with nbdime" \
         "(.git/config; \`git diff --no-ext-diff\` shows the raw JSON)" >&2
  fi
}

case "${1:-}" in
  install)
    install ;;
  git-setup)
    git_setup ;;
  reports)
    install
    shift
    "$VENV/bin/citynet-analysis" ingest
    "$VENV/bin/citynet-analysis" validate
    "$VENV/bin/citynet-analysis" batch "$@" ;;
  test)
    install
    shift
    # the browser tests (tests/reporting/test_browser.py) open the reports in Debian's Chromium
    if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
      echo "tasks.sh: installing Debian's chromium with apt (once) for the browser tests" >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
        || echo "tasks.sh: could not install chromium with apt; the browser tests cannot run" >&2
    fi
    "$VENV/bin/ruff" check citynet_analysis tests benchmarks notebooks
    "$VENV/bin/python" -m pytest "$@" ;;
  *)
    echo "usage: bash tasks.sh reports|test|install|git-setup" >&2
    exit 2 ;;
esac
