#!/usr/bin/env bash
# Set up (with test tools), check style and types (ruff, mypy), and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check --quiet .
.venv/bin/mypy
export OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False
exec .venv/bin/python -m pytest -q "$@"
