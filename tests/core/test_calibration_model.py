"""The calibration's model of the sold-here decision (bench/calibrate.py's cost) follows the planner's rules: a
question naming the best match alone is answered whatever the thresholds, and "do you have" about what a named
product holds is answered too; a question naming another thing is answered on its keyword score only when the
best match's sheet mentions that thing."""

from __future__ import annotations

from bench.calibrate import Asked, _cost


def asked(**kw: float) -> Asked:
    low = dict(answer=True, right=True, cross=False, dense=0.5, margin=0.0, keyword=0.0, exists=False, names=False,
               unknown=False)
    return Asked(**{**low, **kw})  # type: ignore[arg-type]


def test_a_question_naming_its_product_alone_costs_nothing_at_any_threshold() -> None:
    strict = (9.0, 0.99, 0.99, 0.5, 0.99)
    assert _cost([asked(named=True)], True, *strict) == 0
    assert _cost([asked()], True, *strict) == 1  # the same scores without the name: refused
    assert _cost([asked(exists=True, holds=True)], True, *strict) == 0
    assert _cost([asked(exists=True)], True, *strict) == 1


def test_another_thing_is_answered_on_keywords_only_when_the_sheet_mentions_it() -> None:
    strict = (9.0, 0.99, 0.99, 0.5, 0.99)
    unnamed = (5.0, 0.95)
    assert _cost([asked(unnamed=True, keyword=6.0, mentioned=True)], True, *strict, unnamed) == 0
    assert _cost([asked(unnamed=True, keyword=6.0)], True, *strict, unnamed) == 1  # refused
    assert _cost([asked(unnamed=True, dense=0.96)], True, *strict, unnamed) == 0  # a sure match by meaning
