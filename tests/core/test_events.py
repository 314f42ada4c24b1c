from pathlib import Path

import pytest

from agent.events import Event, EventKind
from connectors.platforms.replay import read_log


def test_minimal_comment_line_parses() -> None:
    e = Event.from_dict({"t": 12.5, "type": "comment", "user": "ana", "text": "how much?"})
    assert e.kind is EventKind.COMMENT and e.user.name == "ana" and e.time == 12.5 and e.text == "how much?"


def test_gift_carries_name_count_and_value() -> None:
    e = Event.from_dict({"t": 1, "type": "gift", "user": "bo", "gift": {"name": "rose", "count": 3, "value": 1.5}})
    assert e.gift is not None and (e.gift.name, e.gift.count, e.gift.value) == ("rose", 3, 1.5)


def test_round_trip_keeps_every_field() -> None:
    e = Event.from_dict({"t": 2, "type": "like", "user": {"id": "42", "name": "cy"}, "count": 7,
                         "platform": "bilibili", "room": "9", "id": "m1", "sent_at": 1700000000.0})
    again = Event.from_dict(e.to_dict())
    assert again == e
    assert again.key == "bilibili:9:m1"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"type": "comment", "user": "a", "text": ""}, "text"),
        ({"type": "gift", "user": "a"}, "gift"),
        ({"type": "comment", "user": "a", "text": "x", "t": "soon"}, "t"),
    ],
)
def test_bad_lines_name_the_field(line: dict[str, object], field: str) -> None:
    with pytest.raises((ValueError, TypeError)) as err:
        Event.from_dict(line)
    assert f"'{field}'" in str(err.value)


def test_unknown_type_is_rejected() -> None:
    with pytest.raises(ValueError):
        Event.from_dict({"type": "teleport", "user": "a"})


@pytest.mark.parametrize(
    ("sent_at", "unix"),
    [(1_764_500_000, 1_764_500_000.0), (1_764_500_000_250, 1_764_500_000.25), ("1764500000", 1_764_500_000.0),
     ("2025-11-30T10:53:20Z", 1_764_500_000.0), ("2025-11-30T11:53:20+01:00", 1_764_500_000.0),
     ("2025-11-30 10:53:20", 1_764_500_000.0)],
)
def test_a_platform_time_is_read_in_seconds_milliseconds_or_iso_8601(sent_at: object, unix: float) -> None:
    e = Event.from_dict({"t": 1, "user": "ana", "text": "hi", "sent_at": sent_at})
    assert e.sent_at == pytest.approx(unix)


def test_a_platform_time_that_is_no_time_names_the_field() -> None:
    with pytest.raises(ValueError, match="sent_at"):
        Event.from_dict({"t": 1, "user": "ana", "text": "hi", "sent_at": "yesterday"})


def test_a_recorded_log_with_platform_times_only_is_replayed_at_their_pace(tmp_path: Path) -> None:
    log = tmp_path / "chat.jsonl"
    log.write_text('{"user": "ana", "text": "hi", "sent_at": "2025-11-30T10:00:05Z"}\n'
                   '{"user": "bo", "text": "yo", "sent_at": "2025-11-30T10:00:00Z"}\n', encoding="utf-8")
    assert [(e.user.name, e.time) for e in read_log(log)] == [("bo", 0.0), ("ana", 5.0)]
