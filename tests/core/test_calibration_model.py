"""The calibration's model of the sold-here decision (bench/calibrate.py's cost) follows the planner's rules: a
question naming the best match alone is answered whatever the thresholds, and "do you have" about what a named
product holds is answered too."""

from __future__ import annotations

from bench.calibrate import Asked, _cost


def asked(**kw: bool) -> Asked:
    low = dict(answer=True, right=True, cross=False, dense=0.5, margin=0.0, keyword=0.0, exists=False, names=False,
               unknown=False)
    return Asked(**{**low, **kw})  # type: ignore[arg-type]


def test_a_question_naming_its_product_alone_costs_nothing_at_any_threshold() -> None:
    strict = (9.0, 0.99, 0.99, 0.5, 0.99)
    assert _cost([asked(named=True)], True, *strict) == 0
    assert _cost([asked()], True, *strict) == 1  # the same scores without the name: refused
    assert _cost([asked(exists=True, holds=True)], True, *strict) == 0
    assert _cost([asked(exists=True)], True, *strict) == 1
