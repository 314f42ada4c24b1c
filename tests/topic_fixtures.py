"""Shared by tests/triage and tests/moderation: a private copy of the shipped banned topics,
and one Normalizer/PinyinTable per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.clock import VirtualClock
from agent.moderation.normalize import Normalizer
from agent.moderation.pinyin import PinyinTable
from agent.moderation.store import TopicStore

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ROOT / "prompts" / "banned_topics"


@pytest.fixture(scope="session")
def folding() -> tuple[Normalizer, PinyinTable]:
    return Normalizer(), PinyinTable()


@pytest.fixture
def topics_dir(tmp_path: Path) -> Path:
    d = tmp_path / "banned_topics"
    shutil.copytree(TOPICS, d)
    return d


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def store(topics_dir: Path, tmp_path: Path, clock: VirtualClock, folding: tuple[Normalizer, PinyinTable]) -> TopicStore:
    return TopicStore(topics_dir, tmp_path / "data", clock, poll_s=2.0, normalizer=folding[0], pinyin=folding[1])


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory: pytest.TempPathFactory, folding: tuple[Normalizer, PinyinTable]) -> TopicStore:
    """Read-only use: the shipped topics, compiled once for the whole session."""
    return TopicStore(TOPICS, tmp_path_factory.mktemp("data"), VirtualClock(), normalizer=folding[0],
                      pinyin=folding[1])
