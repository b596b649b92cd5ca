#!/usr/bin/env bash
# One entry point for the README's quickstart: installs what it needs into .venv, then runs.
#   bash tasks.sh reports   ingest data/raw, validate, and produce the reports for every fiscal year
#   bash tasks.sh test      lint (ruff) and the whole test suite (unit tests + notebooks with nbval)
#   bash tasks.sh install   only (re)install the environment
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
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
    touch "$stamp"
  fi
}

case "${1:-}" in
  install)
    install ;;
  reports)
    install
    shift
    "$VENV/bin/citynet-analysis" ingest
    "$VENV/bin/citynet-analysis" validate
    "$VENV/bin/citynet-analysis" batch "$@" ;;
  test)
    install
    shift
    "$VENV/bin/ruff" check citynet_analysis tests benchmarks
    "$VENV/bin/python" -m pytest "$@" ;;
  *)
    echo "usage: bash tasks.sh reports|test|install" >&2
    exit 2 ;;
esac
