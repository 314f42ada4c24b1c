"""Topic files: validation, live reload on the clock, history, rollback, rejected edits, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.clock import VirtualClock
from agent.errors import ConfigError
from agent.moderation.store import TopicStore
from agent.moderation.topics import TopicError, parse_topic

GOOD = 'description = "Knitting (test)"\n[keywords]\nen = ["crochet hook"]\n'
BAD_REGEX = 'description = "Broken"\n[patterns]\nen = ["(unclosed"]\n'


def test_bad_regex_error_names_file_key_and_reason() -> None:
    with pytest.raises(TopicError) as err:
        parse_topic("broken", BAD_REGEX, "topics/broken.toml")
    msg = str(err.value)
    assert "topics/broken.toml" in msg and "patterns.en[0]" in msg and "bad regex" in msg
    assert "missing )" in msg


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[keywords]\nen = ["x y"]\n', "description"),
        ('description = "d"\ncolour = 1\n', "colour"),
        ('description = "d"\n[keywords]\nen = "not a list"\n', "keywords.en"),
        ('description = "d"\n[keywords]\nen = ["a"]\n', "keywords.en[0]"),
        ('description = "d"\n[patterns]\nen = [".*"]\n', "patterns.en[0]"),
        ('description = "d"\nscope = ["everywhere"]\n', "scope"),
    ],
)
def test_invalid_topic_files_are_rejected_with_the_key(text: str, key: str) -> None:
    with pytest.raises(TopicError) as err:
        parse_topic("t", text, "t.toml")
    assert err.value.key == key


def test_edit_goes_live_at_the_next_poll_and_is_versioned(store: TopicStore, topics_dir: Path,
                                                          clock: VirtualClock) -> None:
    first = store.version
    assert store.match("where is my crochet hook") is None
    (topics_dir / "knitting.toml").write_text(GOOD, encoding="utf-8")
    assert store.maybe_reload() is False  # not yet polled: poll_s has not passed
    clock.advance(2.0)
    assert store.maybe_reload() is True
    assert store.match("where is my crochet hook") is not None
    assert store.version != first
    versions = [v.version for v in store.history()]
    assert versions == [first, store.version]
    saved = store.history_dir / store.version / "knitting.toml"
    assert saved.read_text(encoding="utf-8") == GOOD


def test_broken_edit_is_rejected_and_previous_version_stays_live(store: TopicStore, topics_dir: Path,
                                                                 clock: VirtualClock) -> None:
    before = store.version
    (topics_dir / "broken.toml").write_text(BAD_REGEX, encoding="utf-8")
    clock.advance(2.0)
    assert store.maybe_reload() is False
    assert store.version == before
    assert store.last_error is not None and "broken.toml" in store.last_error and "bad regex" in store.last_error
    assert store.match("online gambling") is not None  # the old rules still apply
    (topics_dir / "broken.toml").write_text(GOOD, encoding="utf-8")  # fixed: accepted at the next poll
    clock.advance(2.0)
    assert store.maybe_reload() is True
    assert store.last_error is None


def test_rollback_restores_files_and_rules(store: TopicStore, topics_dir: Path, clock: VirtualClock) -> None:
    v1 = store.version
    original = (topics_dir / "gambling.toml").read_text(encoding="utf-8")
    (topics_dir / "gambling.toml").write_text('description = "emptied"\n', encoding="utf-8")
    clock.advance(2.0)
    assert store.maybe_reload() is True
    assert store.match("online gambling") is None
    store.rollback(v1)
    assert store.version == v1
    assert (topics_dir / "gambling.toml").read_text(encoding="utf-8") == original
    assert store.match("online gambling") is not None
    assert [v.version for v in store.history() if v.live] == [v1]
    with pytest.raises(ConfigError, match="no version"):
        store.rollback("9999-nope")


def test_propose_validates_before_writing_and_leaves_no_temp_files(store: TopicStore, topics_dir: Path) -> None:
    before = (topics_dir / "gambling.toml").read_text(encoding="utf-8")
    with pytest.raises(TopicError):
        store.propose("gambling", BAD_REGEX)
    assert (topics_dir / "gambling.toml").read_text(encoding="utf-8") == before
    ts = store.propose("knitting", GOOD)
    assert ts.version == store.version and store.match("crochet hook") is not None
    leftovers = [p.name for p in topics_dir.iterdir() if p.name.startswith(".")]
    leftovers += [p.name for p in store.history_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


async def test_watch_polls_on_the_injected_clock(store: TopicStore, topics_dir: Path, clock: VirtualClock) -> None:
    import asyncio

    task = asyncio.create_task(store.watch())
    await asyncio.sleep(0)
    (topics_dir / "knitting.toml").write_text(GOOD, encoding="utf-8")
    clock.advance(2.0)
    for _ in range(3):
        await asyncio.sleep(0)
    task.cancel()
    assert store.match("crochet hook") is not None


def test_startup_with_a_broken_folder_fails_loudly(tmp_path: Path) -> None:
    d = tmp_path / "topics"
    d.mkdir()
    (d / "broken.toml").write_text(BAD_REGEX, encoding="utf-8")
    with pytest.raises(TopicError, match="broken.toml"):
        TopicStore(d, tmp_path / "data", VirtualClock())


def test_a_topic_edit_keeps_the_replaced_file_in_the_history_the_console_reads(store: TopicStore,
                                                                                topics_dir: Path) -> None:
    before = (topics_dir / "gambling.toml").read_text(encoding="utf-8")
    store.propose("gambling", GOOD)
    rel = f"{topics_dir.name}/gambling.toml"
    versions = store.files.versions(rel)
    assert len(versions) == 1 and store.files.content(rel, versions[0].name) == before
    store.propose("gambling", GOOD)  # the same text again: nothing new to keep
    assert len(store.files.versions(rel)) == 1
