import pytest

from agent.events import Event, EventKind


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
