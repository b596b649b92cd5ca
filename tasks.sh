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
    # the browser tests (tests/reporting/test_browser.py) open the reports in Debian's Chromium
    if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
        || echo "tasks.sh: could not install chromium with apt; the browser tests cannot run" >&2
    fi
    "$VENV/bin/ruff" check citynet_analysis tests benchmarks
    "$VENV/bin/python" -m pytest "$@" ;;
  *)
    echo "usage: bash tasks.sh reports|test|install" >&2
    exit 2 ;;
esac
