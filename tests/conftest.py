"""Shared test fixtures: paths to the repo and to ../shared/fixtures, settings on a temporary data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testkit.wall import Wall

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    return SHARED

# banned-topic stores for tests/triage and tests/moderation
pytest_plugins = ["tests.topic_fixtures"]


@pytest.fixture
def wall() -> Wall:
    """A wall clock the test sets (``wall.t``)."""
    return Wall()
