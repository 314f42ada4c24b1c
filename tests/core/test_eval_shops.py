"""The benches find the evaluation shops, and only them (a folder without a catalog and questions is not one)."""

from __future__ import annotations

from bench.shops import shops


def test_every_development_and_held_out_shop_is_found_and_nothing_else() -> None:
    dev, held = shops("dev"), shops("heldout")
    assert [name for name, _, _ in dev] == ["en_dev", "fr_dev", "zh_dev"]  # not evals/dev/report
    assert [name for name, _, _ in held] == ["en_shop", "fr_shop", "zh_shop"]
    for _, questions, catalog in dev + held:
        assert questions.is_file() and catalog.exists()
